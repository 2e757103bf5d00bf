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

initAll()

// Re-initialise GOV.UK components inside content swapped in by htmx.
document.addEventListener('htmx:afterSettle', (event) => {
  const target = event.target
  if (target instanceof HTMLElement) {
    initAll({ scope: target })
  }
})
