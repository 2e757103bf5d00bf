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

/**
 * On a phone each row of a data table becomes a card (see app.css, .app-table--stack): every cell shows its
 * column's heading, copied here into data-label. Tables marked .app-table--no-stack stay tables.
 * @param {ParentNode} scope
 */
function stackTables (scope) {
  scope.querySelectorAll('table.govuk-table:not(.app-table--no-stack)').forEach((table) => {
    const headRows = table.tHead ? table.tHead.rows : []
    if (!headRows.length) return
    const labels = []
    for (const th of headRows[headRows.length - 1].cells) {
      const text = th.textContent.replace(/\s+/g, ' ').trim()
      for (let i = 0; i < th.colSpan; i++) labels.push(text)
    }
    for (const body of [...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])]) {
      for (const row of body.rows) {
        let column = 0
        for (const cell of row.cells) {
          const label = labels[column]
          if (label && !cell.hasAttribute('data-label') && !(cell.tagName === 'TH' && cell.scope === 'row')) {
            cell.setAttribute('data-label', label)
          }
          column += cell.colSpan
        }
      }
    }
    table.classList.add('app-table--stack')
  })
}

initAll()
enhanceTableWrappers(document)
stackTables(document)

// Re-initialise GOV.UK components inside content swapped in by htmx.
document.addEventListener('htmx:afterSettle', (event) => {
  const target = event.target
  if (target instanceof HTMLElement) {
    initAll({ scope: target })
    enhanceTableWrappers(target)
    stackTables(target)
  }
})
