// `npm run stack`: starts the local backend alone (no app) and prints how to reach it; Ctrl-C stops it.
import { startStack } from './stack/stack.ts'

const stack = await startStack({ seed: !process.argv.includes('--no-seed'), apiPort: 54321 })
console.log(`API (supabase-js URL): ${stack.apiUrl}`)
console.log(`Database:              ${stack.databaseUrl}`)
console.log(`anon key:              ${stack.anonKey}`)
console.log(`service_role key:      ${stack.serviceRoleKey}`)
console.log('Ctrl-C stops the stack.')
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stack.stop().then(() => process.exit(0))
  })
}
