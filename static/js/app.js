// SEND Casework – front-end entry point.
//
// Loaded from base.html as <script type="module">, so it only runs in browsers
// that GOV.UK Frontend v5 supports. There is deliberately no inline script
// anywhere in the templates (Content-Security-Policy: script-src 'self').
// The import path is relative so it follows STATIC_URL (it resolves to
// /static/vendor/govuk-frontend/govuk-frontend.min.js by default).
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

// GOV.UK Frontend's page template does this with an inline script; we cannot.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

/**
 * Horizontally scrolling table wrappers (.app-table-wrap) must be reachable
 * by keyboard (WCAG 2.1.1; axe "scrollable-region-focusable"). Templates
 * should already write tabindex="0" role="region" aria-label="…"; this fills
 * in whatever is missing, naming the region after the table caption.
 * @param {ParentNode} scope
 */
function enhanceTableWrappers (scope) {
  scope.querySelectorAll('.app-table-wrap').forEach((wrap) => {
    if (!wrap.hasAttribute('tabindex')) wrap.setAttribute('tabindex', '0')
    if (!wrap.hasAttribute('role')) wrap.setAttribute('role', 'region')
    if (!wrap.hasAttribute('aria-label') && !wrap.hasAttribute('aria-labelledby')) {
      const caption = wrap.querySelector('caption')
      const name = caption ? caption.textContent.trim() : ''
      wrap.setAttribute('aria-label', name ? `${name} (scrollable table)` : 'Scrollable table')
    }
  })
}

initAll()
enhanceTableWrappers(document)

// Re-initialise GOV.UK components inside content swapped in by htmx.
document.addEventListener('htmx:afterSettle', (event) => {
  const target = event.target
  if (target instanceof HTMLElement) {
    initAll({ scope: target })
    enhanceTableWrappers(target)
  }
})
