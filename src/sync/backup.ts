// The backup file of what a phone has not synced (issue 12): its queued changes, the events they
// concern and the refused or conflicting ones, and the requests not sent yet, with who owns them,
// where and when they were exported, and a SHA-256 checksum. Reading one checks it whole before
// anything of it is used: a damaged file, a file of another format version or another user's is
// refused as a whole (src/sync/backup-plans.ts then decides what an accepted one adds).
import type { EventRequest, LocalEvent, Uuid } from '../domain/types'
import type { OutboxEntry } from '../local/outbox'

export const BACKUP_FORMAT = 'volunteer-ledger-unsynced'
export const BACKUP_VERSION = 1

/** A queued change as the file holds it: in queue order, without this phone's queue position. */
export type BackedUpChange = Omit<OutboxEntry, 'seq'>

export interface BackupContent {
  events: LocalEvent[]
  outbox: BackedUpChange[]
  requests: EventRequest[]
}

export interface BackupFile {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  owner: Uuid
  device: Uuid
  exportedAt: string
  /** SHA-256 (hex) of the file's other fields, as written (see signedText). */
  checksum: string
  content: BackupContent
}

export type BackupRefusal = 'damaged' | 'version' | 'owner'

export type BackupReading = { ok: true; file: BackupFile } | { ok: false; reason: BackupRefusal }

/** The text the checksum covers: every field but the checksum, in a fixed order. */
function signedText(file: Omit<BackupFile, 'checksum'>): string {
  return JSON.stringify([file.format, file.version, file.owner, file.device, file.exportedAt, file.content])
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** A queued change without this phone's queue position (another phone's queue gives its own). */
function withoutSeq(entry: OutboxEntry): BackedUpChange {
  const change: OutboxEntry = { ...entry }
  delete change.seq
  return change
}

export async function writeBackup(owner: Uuid, device: Uuid, exportedAt: string, unsynced: { events: LocalEvent[]; outbox: OutboxEntry[]; requests: EventRequest[] }): Promise<string> {
  const content: BackupContent = {
    events: unsynced.events,
    outbox: unsynced.outbox.map(withoutSeq),
    requests: unsynced.requests,
  }
  const unsigned = { format: BACKUP_FORMAT, version: BACKUP_VERSION, owner, device, exportedAt, content } as const
  const file: BackupFile = { ...unsigned, checksum: await sha256(signedText(unsigned)) }
  return JSON.stringify(file, null, 1)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isText = (value: unknown): value is string => typeof value === 'string'
const SYNC_STATES = new Set(['pending', 'synced', 'failed', 'conflict', 'awaiting'])
const OPS = new Set(['upsert', 'delete', 'confirm', 'adjust', 'correct'])
const EVENT_TEXT_FIELDS = ['id', 'station_id', 'team_id', 'theme_month_id', 'started_at', 'ended_at', 'title', 'note', 'materials_description']
const EVENT_NUMBER_FIELDS = ['people_served', 'funds_fen', 'materials_fen']

function isFields(value: unknown): boolean {
  return isObject(value)
    && ['station_id', 'team_id', 'theme_month_id', 'started_at', 'ended_at', 'title'].every((key) => isText(value[key]))
    && EVENT_NUMBER_FIELDS.every((key) => Number.isFinite(value[key]))
    && Array.isArray(value.participants)
    && value.participants.every((p) => isObject(p) && isText(p.person_id) && Number.isFinite(p.hours))
}

function isEvent(value: unknown): value is LocalEvent {
  return isObject(value)
    && EVENT_TEXT_FIELDS.every((key) => isText(value[key]))
    && isFields(value)
    && typeof value.deleted === 'boolean'
    && SYNC_STATES.has(value.syncState as string)
    && (value.serverRevision === null || Number.isInteger(value.serverRevision))
    && (value.server === null || (isObject(value.server) && Number.isInteger(value.server.revision) && isFields(value.server.fields)))
}

function isChange(value: unknown): value is BackedUpChange {
  return isObject(value)
    && isText(value.change_id) && isText(value.event_id) && OPS.has(value.op as string)
    && (value.fields === null || isFields(value.fields))
    && isText(value.queued_at) && typeof value.sent === 'boolean'
    && !('seq' in value)
}

function isRequest(value: unknown): value is EventRequest {
  return isObject(value) && isText(value.id) && isText(value.eventId) && value.status === 'queued'
}

/** Whether the content holds what this version writes, every change's event included. */
function isContent(value: unknown): value is BackupContent {
  if (!isObject(value) || !Array.isArray(value.events) || !Array.isArray(value.outbox) || !Array.isArray(value.requests)) return false
  if (!value.events.every(isEvent) || !value.outbox.every(isChange) || !value.requests.every(isRequest)) return false
  const events = new Set(value.events.map((event) => event.id))
  return value.outbox.every((change) => events.has(change.event_id)) && value.requests.every((request) => events.has(request.eventId))
}

/** Reads a backup file for the signed-in user; refuses it whole unless every check holds. */
export async function readBackup(text: string, signedInUser: Uuid): Promise<BackupReading> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'damaged' }
  }
  if (!isObject(parsed) || parsed.format !== BACKUP_FORMAT) return { ok: false, reason: 'damaged' }
  if (parsed.version !== BACKUP_VERSION) return { ok: false, reason: 'version' }
  const file = parsed as unknown as BackupFile
  if (!isText(file.checksum) || file.checksum !== (await sha256(signedText(file)))) return { ok: false, reason: 'damaged' }
  if (!isText(file.owner) || !isText(file.device) || !isText(file.exportedAt) || !isContent(file.content)) {
    return { ok: false, reason: 'damaged' }
  }
  if (file.owner !== signedInUser) return { ok: false, reason: 'owner' }
  return { ok: true, file }
}
