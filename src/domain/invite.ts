// A team's invite code as people pass it on: read aloud or typed in two groups of four
// (ABCD-EFGH), or opened as a link into the app (…#/join/ABCDEFGH) from a QR code.
import type { TeamInvite } from './types'

/** "ABCDEFGH" → "ABCD-EFGH". */
export function formatInviteCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code
}

/** The link that opens the join page with the code filled in, for the app served at `appUrl`. */
export function inviteLink(appUrl: string, code: string): string {
  return `${appUrl.split('#')[0]}#/join/${encodeURIComponent(code)}`
}

export function inviteExpired(invite: Pick<TeamInvite, 'expires_at'>, now: number): boolean {
  return Date.parse(invite.expires_at) <= now
}
