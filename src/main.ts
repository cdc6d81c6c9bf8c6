import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { installPwa } from './pwa/register'

document.documentElement.lang = i18n.global.locale.value

createApp(App).use(createPinia()).use(i18n).mount('#app')
installPwa()
