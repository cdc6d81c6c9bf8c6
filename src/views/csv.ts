// CSV files that open correctly in Excel on Chinese Windows: UTF-8 with a byte-order mark,
// CRLF line ends, every cell quoted when it needs to be.
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => {
    const text = String(value)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `\uFEFF${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`
}

/** Offers a text file for download under the given name. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started by now; the object URL only needs to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
