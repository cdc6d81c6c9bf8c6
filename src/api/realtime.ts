// Supabase Realtime for the coordinators' dashboard, loaded only with it. Set up as supabase-js
// sets up its Realtime client: the websocket endpoint of the project, the anon key as apikey,
// and the signed-in user's access token, so that row-level security applies to the feed.
import { RealtimeClient } from '@supabase/realtime-js'
import { API_KEY, API_URL, supabase } from './client'

export function createRealtime(): RealtimeClient {
  const endpoint = new URL('realtime/v1', API_URL.endsWith('/') ? API_URL : `${API_URL}/`)
  endpoint.protocol = endpoint.protocol.replace('http', 'ws')
  return new RealtimeClient(endpoint.href, { params: { apikey: API_KEY }, accessToken: supabase.accessToken })
}
