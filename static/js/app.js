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
 * What a heading shows on screen: without its visually hidden words, so that a column headed only for screen
 * readers ("Actions") puts no label on the phone's card.
 * @param {HTMLElement} th
 * @returns {string}
 */
function visibleText (th) {
  const copy = th.cloneNode(true)
  copy.querySelectorAll('.govuk-visually-hidden').forEach((hidden) => hidden.remove())
  return copy.textContent.replace(/\s+/g, ' ').trim()
}

/**
 * Each column's heading, as a cell of the table body would be labelled: the header rows' cells laid out on a
 * grid (colspan and rowspan), the texts over one column joined ("Acorn – K %" under a two-row heading).
 * @param {HTMLTableElement} table
 * @returns {string[]}
 */
function columnLabels (table) {
  const grid = []
  Array.from(table.tHead.rows).forEach((row, r) => {
    let column = 0
    for (const th of row.cells) {
      while (grid[r] && grid[r][column] !== undefined) column++
      const text = visibleText(th)
      for (let dr = 0; dr < Math.max(th.rowSpan, 1); dr++) {
        grid[r + dr] = grid[r + dr] || []
        for (let dc = 0; dc < th.colSpan; dc++) grid[r + dr][column + dc] = text
      }
      column += th.colSpan
    }
  })
  const width = Math.max(0, ...grid.map((row) => row.length))
  const labels = []
  for (let column = 0; column < width; column++) {
    const parts = []
    for (const row of grid) {
      const text = row[column]
      if (text && !parts.includes(text)) parts.push(text)
    }
    labels.push(parts.join(' – '))
  }
  return labels
}

/**
 * On a phone each row of a data table becomes a card (see app.css, .app-table--stack): every cell shows its
 * column's heading, copied here into data-label. A row's own heading (th scope="row") is the card's title
 * and has no label; a cell across several columns (say "No pupils on the register") is labelled only when
 * those columns share one heading; an empty cell is marked so that the card leaves it out. The table's
 * parts get their roles written out, because some browsers stop exposing a table whose parts are
 * display: block, and screen readers must still get a real table. Tables marked .app-table--no-stack, or
 * without a header row, stay tables. Running it again on a table (after an htmx swap) is harmless.
 * @param {ParentNode} scope
 */
function stackTables (scope) {
  const selector = 'table.govuk-table:not(.app-table--no-stack)'
  const tables = [...scope.querySelectorAll(selector)]
  const around = scope instanceof Element ? scope.closest(selector) : null
  if (around) tables.push(around) // htmx swapped rows into a table already on the page
  tables.forEach((table) => {
    if (!table.tHead || !table.tHead.rows.length) return
    const labels = columnLabels(table)
    table.setAttribute('role', 'table')
    for (const group of [table.tHead, ...table.tBodies, ...(table.tFoot ? [table.tFoot] : [])]) {
      group.setAttribute('role', 'rowgroup')
      for (const row of group.rows) {
        row.setAttribute('role', 'row')
        let column = 0
        for (const cell of row.cells) {
          const header = cell.tagName === 'TH'
          const rowHeader = header && (cell.scope === 'row' || (group !== table.tHead && cell.scope !== 'col'))
          if (!cell.hasAttribute('role')) {
            cell.setAttribute('role', rowHeader ? 'rowheader' : header ? 'columnheader' : 'cell')
          }
          if (group !== table.tHead) {
            const spanned = new Set(labels.slice(column, column + cell.colSpan))
            const label = spanned.size === 1 ? [...spanned][0] : ''
            if (label && !rowHeader && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', label)
            const empty = !cell.textContent.trim() && !cell.querySelector('input, select, textarea, button, img, svg')
            cell.classList.toggle('app-table__cell--empty', empty)
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
