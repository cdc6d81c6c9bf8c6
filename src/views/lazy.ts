// Pages outside a volunteer's first visit (the leaders' and coordinators', the join page that a
// volunteer opens once, the sync-health page, the volunteer's own record, profile and
// certificates, the public verification page), each in its own chunk so that a volunteer's first
// visit does not download them (the service worker still precaches them).
import { defineAsyncComponent, h, type Component } from 'vue'
import AsyncState from '../components/app/AsyncState.vue'

function lazy(load: () => Promise<{ default: Component }>): Component {
  return defineAsyncComponent({
    loader: load,
    loadingComponent: AsyncState,
    errorComponent: { render: () => h(AsyncState, { failed: true }) },
    delay: 150,
    onError(error, retry, fail, attempts) {
      if (attempts <= 2 && navigator.onLine) retry()
      else fail()
      console.warn('lazy page failed to load', error)
    },
  })
}

/**
 * A page that shows the ledger's words too: its messages (a bundle of their own, as is its
 * loader) come with it.
 */
function withLedgerMessages(load: () => Promise<{ default: Component }>): () => Promise<{ default: Component }> {
  const messages = async () => (await import('../i18n/ledger')).loadCurrentLedgerMessages()
  return async () => (await Promise.all([load(), messages()]))[0]
}

export const TeamView = lazy(() => import('./TeamView.vue'))
export const DashboardView = lazy(withLedgerMessages(() => import('./DashboardView.vue')))
export const ReportView = lazy(withLedgerMessages(() => import('./ReportView.vue')))
export const ManageView = lazy(withLedgerMessages(() => import('./ManageView.vue')))
export const CloseoutView = lazy(withLedgerMessages(() => import('./ledger/CloseoutView.vue')))
export const AdjustmentsView = lazy(withLedgerMessages(() => import('./ledger/AdjustmentsView.vue')))
export const HistoryView = lazy(withLedgerMessages(() => import('./ledger/HistoryView.vue')))
export const FollowUpView = lazy(() => import('./FollowUpView.vue'))
export const DeviceView = lazy(() => import('./DeviceView.vue'))
export const RostersView = lazy(() => import('./RostersView.vue'))
export const JoinView = lazy(() => import('./JoinView.vue'))

/** A page that speaks the record's messages (src/i18n/record), shown once they are loaded too. */
function withRecordMessages(load: () => Promise<{ default: Component }>): () => Promise<{ default: Component }> {
  return async () => {
    const [page] = await Promise.all([load(), import('../i18n/record').then(({ loadRecordMessages }) => loadRecordMessages())])
    return page
  }
}

export const RecordView = lazy(withRecordMessages(() => import('./RecordView.vue')))
export const ProfileView = lazy(withRecordMessages(() => import('./ProfileView.vue')))
export const ReviewView = lazy(withRecordMessages(() => import('./ReviewView.vue')))
export const CertificateView = lazy(withRecordMessages(() => import('./CertificateView.vue')))
export const VerifyView = lazy(withRecordMessages(() => import('./VerifyView.vue')))
