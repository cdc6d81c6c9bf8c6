import { describe, expect, it } from 'vitest'
import { parseLogin } from '../../src/domain/login'

describe('logins', () => {
  it.each([
    ['volunteer@demo.local', { email: 'volunteer@demo.local' }],
    ['  Li.Xin@example.org ', { email: 'Li.Xin@example.org' }],
    ['13800138000', { phone: '+8613800138000' }],
    ['138 0013 8000', { phone: '+8613800138000' }],
    ['138-0013-8000', { phone: '+8613800138000' }],
    ['+86 138 0013 8000', { phone: '+8613800138000' }],
    ['8613800138000', { phone: '+8613800138000' }],
    ['+85261234567', { phone: '+85261234567' }],
  ])('reads %j', (typed, login) => {
    expect(parseLogin(typed)).toEqual(login)
  })

  it.each(['', 'volunteer', 'volunteer@', '@demo.local', 'a b@c.d', '1380013800', '23800138000', '+0123456789', '13800138000x'])(
    'refuses %j',
    (typed) => {
      expect(parseLogin(typed)).toBeNull()
    },
  )
})
