// `npm start`: the app with its local backend and the demo program. Starts the local stack
// (PostgreSQL + migrations + demo seed + PostgREST + auth stand-in) on 127.0.0.1:54321, builds the app
// against it and serves it as users get it (service worker, offline start) on 127.0.0.1:4173.
// `npm start -- --hmr` serves the Vite dev server with hot reload instead (no service worker).
import { parseArgs } from 'node:util'
import { build, createServer, preview } from 'vite'
import { REPO_ROOT, startStack, stopOnSignals } from './stack/stack.ts'

const { values } = parseArgs({ options: { hmr: { type: 'boolean' } } })
const stack = await startStack({ seed: true, apiPort: 54321 })
process.env.VITE_SUPABASE_URL = stack.apiUrl
process.env.VITE_SUPABASE_ANON_KEY = stack.anonKey

let stopApp: () => Promise<void>
let appUrl: string
if (values.hmr) {
  const server = await createServer({ root: REPO_ROOT, server: { host: '127.0.0.1', port: 5173, strictPort: true } })
  await server.listen()
  appUrl = 'http://127.0.0.1:5173/'
  stopApp = () => server.close()
} else {
  await build({ root: REPO_ROOT, logLevel: 'warn' })
  const server = await preview({ root: REPO_ROOT, preview: { host: '127.0.0.1', port: 4173, strictPort: true } })
  appUrl = 'http://127.0.0.1:4173/'
  stopApp = () => server.close()
}

console.log(`
志愿服务台账 Volunteer Ledger is running.
  App:      ${appUrl}
  API:      ${stack.apiUrl}  (local Supabase stand-in: PostgREST + auth stand-in)
  Database: ${stack.databaseUrl}
Demo accounts (local stack only, password demo1234):
  volunteer@demo.local     volunteer, team 1        volunteer2@demo.local   volunteer, team 2
  leader@demo.local        leader of team 1         coordinator@demo.local  coordinator
  admin@demo.local         admin
Ctrl-C stops the app and the local backend.`)

stopOnSignals(() => stopApp().then(() => stack.stop()))
