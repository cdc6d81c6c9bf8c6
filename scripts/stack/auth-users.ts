// auth.users as the local auth stand-in reads and writes it: the columns GoTrue uses, bcrypt
// passwords checked and set with pgcrypto (GoTrue's cost, 10), and the user JSON GoTrue answers.
import type pg from 'pg'

export interface AuthUser {
  id: string
  email: string | null
  phone: string | null
  created_at: string
  updated_at: string
  email_confirmed_at: string | null
  phone_confirmed_at: string | null
  confirmed_at: string | null
  last_sign_in_at: string | null
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  identities: unknown[]
  is_anonymous: boolean
}

const USER_JSON = `u.id, u.email, u.phone, u.created_at, u.updated_at, u.email_confirmed_at, u.phone_confirmed_at,
  u.confirmed_at, u.last_sign_in_at, coalesce(u.raw_app_meta_data, '{}') as app_metadata,
  coalesce(u.raw_user_meta_data, '{}') as user_metadata, u.is_anonymous,
  coalesce((select jsonb_agg(jsonb_build_object('identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id,
      'identity_data', i.identity_data, 'provider', i.provider, 'last_sign_in_at', i.last_sign_in_at,
      'created_at', i.created_at, 'updated_at', i.updated_at, 'email', i.identity_data ->> 'email'))
    from auth.identities i where i.user_id = u.id), '[]') as identities`

/** The user object of GoTrue's answers. */
export function userJson(user: AuthUser) {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: user.email_confirmed_at ?? undefined,
    phone: user.phone ?? '',
    phone_confirmed_at: user.phone_confirmed_at ?? undefined,
    confirmed_at: user.confirmed_at ?? undefined,
    last_sign_in_at: user.last_sign_in_at ?? undefined,
    app_metadata: user.app_metadata,
    user_metadata: user.user_metadata,
    identities: user.identities,
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_anonymous: user.is_anonymous,
  }
}

export type Login = { by: 'email'; email: string } | { by: 'phone'; phone: string }

export interface Users {
  byId(id: string): Promise<AuthUser | undefined>
  /** The user signing in and whether the password is theirs; undefined when no such user. */
  forLogin(login: Login, password: string): Promise<{ user: AuthUser; passwordMatches: boolean } | undefined>
  exists(login: Login): Promise<boolean>
  /** Creates a confirmed user and their identity; undefined when the email or phone is taken. */
  create(login: Login, password: string, userMetadata: Record<string, unknown>): Promise<AuthUser | undefined>
  recordSignIn(id: string): Promise<void>
}

const LOOKUP = {
  email: 'lower(u.email) = lower($1)',
  phone: 'u.phone = $1',
} as const

export function createUsers(db: pg.Pool): Users {
  async function byId(id: string): Promise<AuthUser | undefined> {
    const { rows } = await db.query<AuthUser>(`select ${USER_JSON} from auth.users u where u.id = $1`, [id])
    return rows[0]
  }
  const key = (login: Login) => (login.by === 'email' ? login.email : login.phone)

  return {
    byId,

    async forLogin(login, password) {
      const { rows } = await db.query<AuthUser & { password_matches: boolean }>(
        `select ${USER_JSON}, coalesce(u.encrypted_password <> ''
            and u.encrypted_password = extensions.crypt($2, u.encrypted_password), false) as password_matches
         from auth.users u where ${LOOKUP[login.by]}`,
        [key(login), password],
      )
      const row = rows[0]
      return row && { user: row, passwordMatches: row.password_matches }
    },

    async exists(login) {
      const { rowCount } = await db.query(`select 1 from auth.users u where ${LOOKUP[login.by]}`, [key(login)])
      return (rowCount ?? 0) > 0
    },

    async create(login, password, userMetadata) {
      const email = login.by === 'email' ? login.email : null
      const phone = login.by === 'phone' ? login.phone : null
      try {
        // One statement, so the user never exists without their identity.
        const { rows } = await db.query<{ id: string }>(
          `with created as (
             insert into auth.users (instance_id, id, aud, role, email, phone, encrypted_password,
               email_confirmed_at, phone_confirmed_at, confirmation_token, recovery_token, email_change_token_new,
               email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
             values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
               $1::text, $2::text, extensions.crypt($3::text, extensions.gen_salt('bf', 10)),
               case when $1::text is not null then now() end, case when $2::text is not null then now() end,
               '', '', '', '', jsonb_build_object('provider', $4::text, 'providers', jsonb_build_array($4::text)),
               $5::jsonb, now(), now())
             returning id
           ), identity as (
             insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
             select id::text, id, $5::jsonb || jsonb_strip_nulls(jsonb_build_object('sub', id::text, 'email', $1::text,
                 'phone', $2::text, 'email_verified', $1::text is not null, 'phone_verified', $2::text is not null)),
               $4::text, now(), now(), now()
             from created
           )
           select id from created`,
          [email, phone, password, login.by, JSON.stringify(userMetadata)],
        )
        return byId(rows[0]!.id)
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return undefined
        throw error
      }
    },

    async recordSignIn(id) {
      await db.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1', [id])
    },
  }
}
