// The shapes of the records the manage page edits in lists (EditableList, EditableForm).

export interface EditableField {
  key: string
  label: string
  type?: 'text' | 'month'
  maxlength?: number
  required?: boolean
}

export interface EditableItem {
  id: string
  title: string
  detail?: string
  values: Record<string, string>
}
