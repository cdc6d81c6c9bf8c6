// Pages outside a volunteer's first visit, which opens the form (the team's events, the leaders'
// and coordinators' pages, the join page that a volunteer opens once, the sync-health page, the
// volunteer's own record, profile and certificates, the public verification page), each in its
// own chunk, with their messages, so that a volunteer's first visit downloads none of them (the
// service worker still precaches them).
import { defineAsyncComponent, h, type Component } from 'vue'
import AsyncState from '../components/app/AsyncState.vue'
import { addMessages, type MessageBundle } from '../i18n'
import { LEDGER_MESSAGES, PAGE_MESSAGES, RECORD_MESSAGES } from '../i18n/bundles'

/** A page in a chunk of its own, shown once it and the message bundles it speaks have loaded. */
function lazy(load: () => Promise<{ default: Component }>, ...bundles: MessageBundle[]): Component {
  return defineAsyncComponent({
    loader: async () => (await Promise.all([load(), ...bundles.map(addMessages)]))[0],
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

// The team's events speak the first visit's messages only; every other page those of PAGE_MESSAGES too.
export const EventsView = lazy(() => import('./EventsView.vue'))
export const TeamView = lazy(() => import('./TeamView.vue'), PAGE_MESSAGES)
export const DashboardView = lazy(() => import('./DashboardView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const ReportView = lazy(() => import('./ReportView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const ManageView = lazy(() => import('./ManageView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const CloseoutView = lazy(() => import('./ledger/CloseoutView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const AdjustmentsView = lazy(() => import('./ledger/AdjustmentsView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const HistoryView = lazy(() => import('./ledger/HistoryView.vue'), PAGE_MESSAGES, LEDGER_MESSAGES)
export const FollowUpView = lazy(() => import('./FollowUpView.vue'), PAGE_MESSAGES)
export const DeviceView = lazy(() => import('./DeviceView.vue'), PAGE_MESSAGES)
export const RostersView = lazy(() => import('./RostersView.vue'), PAGE_MESSAGES)
export const JoinView = lazy(() => import('./JoinView.vue'), PAGE_MESSAGES)
export const RecordView = lazy(() => import('./RecordView.vue'), PAGE_MESSAGES, RECORD_MESSAGES)
export const ProfileView = lazy(() => import('./ProfileView.vue'), PAGE_MESSAGES, RECORD_MESSAGES)
export const ReviewView = lazy(() => import('./ReviewView.vue'), PAGE_MESSAGES, RECORD_MESSAGES)
export const CertificateView = lazy(() => import('./CertificateView.vue'), PAGE_MESSAGES, RECORD_MESSAGES)
export const VerifyView = lazy(() => import('./VerifyView.vue'), PAGE_MESSAGES, RECORD_MESSAGES)
