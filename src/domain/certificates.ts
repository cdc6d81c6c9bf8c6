// 志愿服务记录证明 as the server issues them (supabase/migrations/20261201030100_certificates.sql),
// and the address of a certificate's verification page, which its QR code holds.
import { shanghaiDateOf } from './time'
import type { Uuid } from './types'

export interface CertificateItem {
  event_id: Uuid
  revision: number
  /** YYYY-MM-DD, Kunming. */
  date: string
  title: string
  service_content: string
  hours: number
}

/** A certificate: a snapshot, sealed by its content hash; it only changes to be revoked. */
export interface Certificate {
  id: Uuid
  /** YYYY-NNNN, unique per issuer and year. */
  certificate_no: string
  /** The recording unit that issued it (谁记录谁证明). */
  issuer: string
  person_id: Uuid
  request_id: Uuid | null
  /** The certificate this one reissues. */
  replaces: Uuid | null
  holder_name: string
  id_type: string
  id_number_masked: string
  volunteer_number: string
  period_start: string
  period_end: string
  items: CertificateItem[]
  /** The exact sum of the items' hours. */
  total_hours: number
  issuer_person_in_charge: string
  handler: string
  contact: string
  notes: string
  issued_at: string
  content_hash: string
  revoked_at: string | null
  revoke_reason: string | null
}

/** A volunteer's request for a certificate. */
export interface CertificateRequest {
  id: Uuid
  person_id: Uuid
  recording_unit: string
  period_start: string
  period_end: string
  note: string
  requested_at: string
  status: 'pending' | 'issued' | 'declined'
  decline_reason: string | null
  certificate_id: Uuid | null
}

/** What the issuer adds: the unit's person in charge, the handler, a contact phone, notes. */
export interface IssueDetails {
  person_in_charge: string
  handler: string
  contact: string
  notes: string
}

/** What anyone may learn of a certificate (verify_certificate). */
export interface Verification {
  status: 'valid' | 'revoked'
  holder_name: string
  total_hours: number
  period_start: string
  period_end: string
  issuer: string
  issued_on: string
}

/** The verification page of a certificate, on the app at `appUrl` (its address without a hash). */
export function verificationUrl(appUrl: string, certificate: Pick<Certificate, 'certificate_no' | 'content_hash'>): string {
  const base = appUrl.replace(/#.*$/, '')
  return `${base}#/verify/${encodeURIComponent(certificate.certificate_no)}/${certificate.content_hash}`
}

/** The number and hash in a verification page's route id ("<number>/<hash>"), or null. */
export function parseVerification(routeId: string | null): { certificateNo: string; hash: string } | null {
  const match = /^([^/]+)\/([0-9a-fA-F]{64})$/.exec(routeId ?? '')
  return match ? { certificateNo: decodeURIComponent(match[1]!), hash: match[2]!.toLowerCase() } : null
}

/** The Kunming date a certificate was issued on. */
export function issuedOn(certificate: Pick<Certificate, 'issued_at'>): string {
  return shanghaiDateOf(certificate.issued_at) ?? ''
}
