// Certificates online: a volunteer asks, the unit's leaders or a coordinator issue, decline,
// revoke and reissue; anyone verifies one by its number and hash (signed in or not).
import type { Certificate, CertificateRequest, IssueDetails, Verification } from '../domain/certificates'
import type { Uuid } from '../domain/types'
import { answer, client } from './calls'

export async function requestCertificate(recordingUnit: string, from: string, to: string, note: string): Promise<CertificateRequest> {
  return answer<CertificateRequest>((await client()).rpc('request_certificate', {
    p_recording_unit: recordingUnit, p_period_start: from, p_period_end: to, p_note: note,
  }))
}

/** A request with the name of the volunteer who made it (for the issuer). */
export type NamedCertificateRequest = CertificateRequest & { person: { display_name: string } | null }

/** Requests the user may see: a volunteer's own (by person), or all an issuer may decide (pending). */
export async function fetchCertificateRequests(filter: { personId: Uuid } | { pending: true }): Promise<NamedCertificateRequest[]> {
  const query = (await client()).from('certificate_requests').select('*, person:people(display_name)')
    .order('requested_at', { ascending: false })
  return answer<NamedCertificateRequest[]>('personId' in filter ? query.eq('person_id', filter.personId) : query.eq('status', 'pending'))
}

/** Certificates the user may see: a holder's own, or the ones issued by the units the user certifies for. */
export async function fetchCertificates(filter: { personId: Uuid } | { issued: true }): Promise<Certificate[]> {
  const query = (await client()).from('certificates').select('*').order('issued_at', { ascending: false })
  return answer<Certificate[]>('personId' in filter ? query.eq('person_id', filter.personId) : query.limit(200))
}

export async function fetchCertificate(id: Uuid): Promise<Certificate | null> {
  return answer<Certificate | null>((await client()).from('certificates').select('*').eq('id', id).maybeSingle())
}

export async function issueCertificate(requestId: Uuid, details: IssueDetails): Promise<Certificate> {
  return answer<Certificate>((await client()).rpc('issue_certificate', { p_request_id: requestId, p_details: details }))
}

export async function declineCertificateRequest(requestId: Uuid, reason: string): Promise<void> {
  await answer((await client()).rpc('decline_certificate_request', { p_request_id: requestId, p_reason: reason }))
}

export async function revokeCertificate(id: Uuid, reason: string): Promise<Certificate> {
  return answer<Certificate>((await client()).rpc('revoke_certificate', { p_certificate_id: id, p_reason: reason }))
}

export async function reissueCertificate(id: Uuid, reason: string, details: IssueDetails): Promise<Certificate> {
  return answer<Certificate>((await client()).rpc('reissue_certificate', { p_certificate_id: id, p_reason: reason, p_details: details }))
}

/** What anyone may learn of a certificate; null when the number and hash do not match one. */
export async function verifyCertificate(certificateNo: string, hash: string): Promise<Verification | null> {
  return answer<Verification | null>((await client()).rpc('verify_certificate', { p_certificate_no: certificateNo, p_hash: hash }))
}
