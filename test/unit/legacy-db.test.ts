// Phones that ran an app version with one shared database hand it to its owner on upgrade.
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { deleteLocalDb, openLocalDb } from '../../src/local/db'
import { LEGACY_DB_NAME, openDeviceDb } from '../../src/local/device'
import { adoptLegacyDatabase } from '../../src/local/legacy'
import { eventFields, pendingRecord, USER } from './support/fixtures'

const EVENT = '40000000-0000-4000-8000-000000000001'
let runs = 0
const device = () => openDeviceDb(`legacy-device-${++runs}`, `legacy-user-${runs}-`)
const names = async () => (await indexedDB.databases()).map((db) => db.name)

async function legacyWith(setup: (db: Awaited<ReturnType<typeof openLocalDb>>) => Promise<void>): Promise<void> {
  const db = await openLocalDb(LEGACY_DB_NAME)
  await setup(db)
  db.close()
}

afterEach(() => deleteLocalDb(LEGACY_DB_NAME))

describe('adopting the database of an older app version', () => {
  it('gives it to the signed-in user it belonged to, unmoved', async () => {
    await legacyWith(async (db) => {
      await db.setMeta({ profile: { userId: USER, email: 'a@demo.local', programRole: null, personId: null, myTeamIds: [], ledTeamIds: [] } })
      await db.saveEvent(pendingRecord(EVENT), { change_id: 'c1', event_id: EVENT, op: 'upsert', fields: eventFields(), queued_at: '2023-03-05T12:00:00Z', sent: false })
    })
    const dev = await device()
    await adoptLegacyDatabase(dev)
    expect(await dev.accountDbName(USER)).toBe(LEGACY_DB_NAME)
    expect(await dev.activeUserId()).toBe(USER)
    const adopted = await openLocalDb(await dev.accountDbName(USER))
    expect(await adopted.listOutbox()).toHaveLength(1)
    adopted.close()
  })

  it('sets aside the unsynced changes of a user who had signed out, as theirs', async () => {
    await legacyWith((db) =>
      db.saveEvent(pendingRecord(EVENT), { change_id: 'c1', event_id: EVENT, op: 'upsert', fields: eventFields(), queued_at: '2023-03-05T12:00:00Z', sent: false }),
    )
    const dev = await device()
    await adoptLegacyDatabase(dev)
    expect(await dev.accountDbName(USER)).toBe(LEGACY_DB_NAME)
    expect(await dev.activeUserId()).toBeNull()
    expect(await dev.listAside()).toEqual([expect.objectContaining({ userId: USER, unsynced: 1 })])
  })

  it('removes a database with nothing unsynced and nobody signed in, and creates none where there was none', async () => {
    await legacyWith((db) => db.setMeta({ pullCursor: '1:1' }))
    await adoptLegacyDatabase(await device())
    expect(await names()).not.toContain(LEGACY_DB_NAME)
    await adoptLegacyDatabase(await device())
    expect(await names()).not.toContain(LEGACY_DB_NAME)
  })
})
