import { describe, expect, it } from 'vitest'
import { formatInviteCode, inviteExpired, inviteLink } from '../../src/domain/invite'
import { parseHash } from '../../src/navigation'

describe('invite codes', () => {
  it('are shown in two groups of four', () => {
    expect(formatInviteCode('ABCD2345')).toBe('ABCD-2345')
  })

  it('link to the join page of the app they were made in, which reads the code back', () => {
    const link = inviteLink('https://ledger.example.org/app/index.html#/team', 'ABCD2345')
    expect(link).toBe('https://ledger.example.org/app/index.html#/join/ABCD2345')
    expect(parseHash(new URL(link).hash)).toEqual({ view: 'join', id: 'ABCD2345' })
  })

  it('expire at their time', () => {
    const invite = { expires_at: '2026-12-16T00:00:00Z' }
    expect(inviteExpired(invite, Date.parse('2026-12-15T23:59:59Z'))).toBe(false)
    expect(inviteExpired(invite, Date.parse('2026-12-16T00:00:00Z'))).toBe(true)
  })
})
