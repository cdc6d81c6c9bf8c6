// CSV files that open correctly in Excel on Chinese Windows: UTF-8 with a byte-order mark,
// CRLF line ends, every cell quoted when it needs to be.

/**
 * Text that a spreadsheet would run as a formula (= + - @, or a tab or carriage return before
 * one) gets a leading apostrophe, which spreadsheets show as text (OWASP: CSV injection). Only
 * text cells: the numbers we write are ours, and must stay numbers.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => {
    const text = typeof value === 'number' ? String(value) : neutralizeFormula(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `\uFEFF${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`
}

/** Offers a text file (CSV unless told otherwise) for download under the given name. */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started by now; the object URL only needs to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
