// `npm run stack [-- --port N] [-- --no-seed]`: starts the local backend alone (no app) and prints
// its settings as shell exports (the variables the tests read); Ctrl-C stops it.
import { parseArgs } from 'node:util'
import { startStack, stopOnSignals } from './stack/stack.ts'

const { values } = parseArgs({ options: { port: { type: 'string' }, 'no-seed': { type: 'boolean' } } })
const stack = await startStack({ seed: !values['no-seed'], apiPort: values.port ? Number(values.port) : undefined })
console.log(`export STACK_API_URL=${stack.apiUrl}`)
console.log(`export STACK_DATABASE_URL=${stack.databaseUrl}`)
console.log(`export STACK_ANON_KEY=${stack.anonKey}`)
console.log(`export STACK_SERVICE_ROLE_KEY=${stack.serviceRoleKey}`)
console.log('# Ctrl-C (or SIGTERM) stops the stack.')
stopOnSignals(stack.stop)
