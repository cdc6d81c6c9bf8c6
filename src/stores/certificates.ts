/**
 * useCertificatesStore: 志愿服务记录证明 and the requests for them.
 * State: requests and mine (the volunteer's; certificates are kept on the phone, so they open and
 * print offline), pendingRequests and issued (what an issuer decides and has issued), offline
 * (the last load could not reach the server: the lists are the phone's).
 * Actions: loadMine(), request(unit, from, to, note), open(id) (from the phone, else the server,
 * then kept), loadIssuer(), issue(requestId, details), decline(requestId, reason),
 * revoke(id, reason), reissue(id, reason, details). Refusals throw the api's CallError.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { CallError } from '../api/calls'
import * as api from '../api/certificates'
import type { Certificate, IssueDetails } from '../domain/certificates'
import type { Uuid } from '../domain/types'
import { currentAccount, requireAccount } from '../sync/runtime'
import { useSessionStore } from './session'

const isOffline = (error: unknown): boolean => error instanceof CallError && error.code === 'network'

export const useCertificatesStore = defineStore('certificates', () => {
  /** The volunteer's requests, newest first (online only). */
  const requests = ref<api.NamedCertificateRequest[]>([])
  /** The volunteer's certificates, newest first. */
  const mine = ref<Certificate[]>([])
  /** Requests the issuer may decide. */
  const pendingRequests = ref<api.NamedCertificateRequest[]>([])
  /** Certificates of the units the issuer certifies for, newest first. */
  const issued = ref<Certificate[]>([])
  /** The last load could not reach the server. */
  const offline = ref(false)

  const newestFirst = (list: Certificate[]) => [...list].sort((a, b) => b.issued_at.localeCompare(a.issued_at))

  async function keep(certificates: Certificate[]): Promise<void> {
    const account = await currentAccount()
    await account?.db.putCertificates(certificates)
  }

  /** The volunteer's requests and certificates: from the server when it answers, else the phone's. */
  async function loadMine(): Promise<void> {
    const account = await requireAccount()
    const personId = useSessionStore().personId
    if (!personId) return
    try {
      const [fresh, certificates] = await Promise.all([
        api.fetchCertificateRequests({ personId }),
        api.fetchCertificates({ personId }),
      ])
      await keep(certificates)
      requests.value = fresh
      offline.value = false
    } catch (error) {
      if (!isOffline(error)) throw error
      offline.value = true
    }
    mine.value = newestFirst((await account.db.listCertificates()).filter((certificate) => certificate.person_id === personId))
  }

  async function request(recordingUnit: string, from: string, to: string, note: string): Promise<void> {
    await api.requestCertificate(recordingUnit, from, to, note)
    await loadMine()
  }

  /**
   * A certificate to show: the server's (then kept on the phone), or offline the phone's copy
   * (fromPhone). Null when there is no such certificate.
   */
  async function open(id: Uuid): Promise<{ certificate: Certificate; fromPhone: boolean } | null> {
    const account = await requireAccount()
    try {
      const fresh = await api.fetchCertificate(id)
      if (fresh) await keep([fresh])
      return fresh ? { certificate: fresh, fromPhone: false } : null
    } catch (error) {
      const kept = await account.db.getCertificate(id)
      if (kept && isOffline(error)) return { certificate: kept, fromPhone: true }
      throw error
    }
  }

  async function loadIssuer(): Promise<void> {
    const [pending, certificates] = await Promise.all([
      api.fetchCertificateRequests({ pending: true }),
      api.fetchCertificates({ issued: true }),
    ])
    pendingRequests.value = pending
    issued.value = certificates
  }

  async function issue(requestId: Uuid, details: IssueDetails): Promise<Certificate> {
    const certificate = await api.issueCertificate(requestId, details)
    await keep([certificate])
    await loadIssuer()
    return certificate
  }

  async function decline(requestId: Uuid, reason: string): Promise<void> {
    await api.declineCertificateRequest(requestId, reason)
    await loadIssuer()
  }

  async function revoke(id: Uuid, reason: string): Promise<void> {
    await keep([await api.revokeCertificate(id, reason)])
    await loadIssuer()
  }

  async function reissue(id: Uuid, reason: string, details: IssueDetails): Promise<Certificate> {
    const certificate = await api.reissueCertificate(id, reason, details)
    await keep([certificate])
    await loadIssuer()
    return certificate
  }

  return { requests, mine, pendingRequests, issued, offline, loadMine, request, open, loadIssuer, issue, decline, revoke, reissue }
})
