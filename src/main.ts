import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { i18n, restoreLocale } from './i18n'
import { installPwa } from './pwa/register'

void restoreLocale().finally(() => {
  createApp(App).use(createPinia()).use(i18n).mount('#app')
  installPwa()
})
