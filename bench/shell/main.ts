// The benchmark's baseline front end: a bare Vue + Pinia app, built in the same run as the real
// one, so the app's size and Lighthouse figures read as "what the app adds over the framework".
import { createPinia, defineStore } from 'pinia'
import { createApp, h } from 'vue'

const useShellStore = defineStore('shell', { state: () => ({ title: '志愿服务台账' }) })
const app = createApp({ render: () => h('main', useShellStore().title) })
app.use(createPinia())
app.mount('#app')
