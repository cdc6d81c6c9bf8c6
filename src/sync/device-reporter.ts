// Sends the device report (src/domain/device-report.ts) of one account on this device, and keeps
// the clock offset the server's answer reveals: the next report carries it, and the sync-health
// page warns when the phone's clock is far off. The engine calls it after a round that reached the
// server (see SyncEngineOptions.report).
import { buildDeviceReport, clockOffsetMs, type StorageState } from '../domain/device-report'
import type { Uuid } from '../domain/types'
import type { LocalDb } from '../local/db'
import type { Clock } from './engine'
import type { SyncTransport } from './transport'

export interface DeviceReporterParts {
  db: LocalDb
  transport: SyncTransport
  clock: Clock
  deviceId: () => Promise<Uuid>
  storage: () => Promise<StorageState>
  appVersion: string
}

export function createDeviceReporter(parts: DeviceReporterParts): () => Promise<void> {
  const { db, transport, clock } = parts
  return async () => {
    const [{ events, outbox }, deviceId, storage, clockCheck] = await Promise.all([
      db.unsynced(),
      parts.deviceId(),
      parts.storage(),
      db.getMeta('clockCheck'),
    ])
    const sentAt = clock.now()
    const report = buildDeviceReport({
      deviceId,
      appVersion: parts.appVersion,
      now: sentAt,
      events,
      outbox,
      storage,
      clockOffsetMs: clockCheck?.offsetMs ?? null,
    })
    const answer = await transport.reportDevice(report)
    const receivedAt = clock.now()
    await db.setMeta({
      clockCheck: { offsetMs: clockOffsetMs(sentAt, receivedAt, Number(answer.server_time_ms)), measuredAt: new Date(receivedAt).toISOString() },
    })
  }
}
