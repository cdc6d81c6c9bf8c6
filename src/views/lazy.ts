// Pages that only team leaders and coordinators open, the join page that a volunteer opens once,
// and the sync-health page that anyone opens now and then, each in its own chunk so that a
// volunteer's first visit does not download them (the service worker still precaches them).
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

export const TeamView = lazy(() => import('./TeamView.vue'))
export const DashboardView = lazy(() => import('./DashboardView.vue'))
export const ReportView = lazy(() => import('./ReportView.vue'))
export const ManageView = lazy(() => import('./ManageView.vue'))
export const FollowUpView = lazy(() => import('./FollowUpView.vue'))
export const DeviceView = lazy(() => import('./DeviceView.vue'))
export const RostersView = lazy(() => import('./RostersView.vue'))
export const JoinView = lazy(() => import('./JoinView.vue'))
