// The local auth stand-in must behave like Supabase Auth for what the app uses, through the real
// supabase-js client and the real PostgREST behind the gateway.
import { describe, expect, it } from 'vitest'
import { DEMO_PASSWORD, newClient, signedInClient } from './stack-env'

describe('local auth stand-in through supabase-js', () => {
  it('signs a demo account in with the claims PostgREST and RLS rely on', async () => {
    const client = newClient()
    const { data, error } = await client.auth.signInWithPassword({
      email: 'volunteer@demo.local',
      password: DEMO_PASSWORD,
    })
    expect(error).toBeNull()
    expect(data.user?.email).toBe('volunteer@demo.local')
    const [, payload] = data.session!.access_token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))
    expect(claims).toMatchObject({ role: 'authenticated', aud: 'authenticated', sub: data.user!.id })
    expect(claims.exp - claims.iat).toBe(3600)
  })

  it('refuses a wrong password with the error code Supabase Auth uses', async () => {
    const { data, error } = await newClient().auth.signInWithPassword({
      email: 'volunteer@demo.local',
      password: 'wrong-password',
    })
    expect(data.session).toBeNull()
    expect(error?.code).toBe('invalid_credentials')
  })

  it('refreshes a session once, rotating the refresh token', async () => {
    const client = await signedInClient('volunteer@demo.local')
    const { data: first } = await client.auth.getSession()
    const { data: refreshed, error } = await client.auth.refreshSession()
    expect(error).toBeNull()
    expect(refreshed.session?.refresh_token).not.toBe(first.session?.refresh_token)
    const reuse = await newClient().auth.refreshSession({ refresh_token: first.session!.refresh_token })
    expect(reuse.error?.code).toBe('refresh_token_not_found')
  })

  it('returns the signed-in user from /user', async () => {
    const client = await signedInClient('leader@demo.local')
    const { data, error } = await client.auth.getUser()
    expect(error).toBeNull()
    expect(data.user?.email).toBe('leader@demo.local')
  })

  it('lets a volunteer read only their own team through PostgREST', async () => {
    const client = await signedInClient('volunteer@demo.local')
    const { data, error } = await client.from('service_events').select('team_id')
    expect(error).toBeNull()
    expect(data!.length).toBeGreaterThan(0)
    expect(new Set(data!.map((row) => row.team_id)).size).toBe(1)
  })

  it('gives an anonymous caller nothing', async () => {
    const { data, error } = await newClient().from('service_events').select('id')
    expect(data).toBeNull()
    expect(error?.code).toBe('42501')
  })
})
