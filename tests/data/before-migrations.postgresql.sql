-- Made by the bot before migrations (main at 30a5c3f): today's create_all + sample rows,
-- API keys encrypted with tests/test_migrations.py SNAPSHOT_KEY. Never regenerate.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.audit_log (
    id integer NOT NULL,
    operator_id bigint NOT NULL,
    action character varying(64) NOT NULL,
    detail text NOT NULL,
    setting character varying(64),
    before_json text,
    after_json text,
    created_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.audit_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;
CREATE TABLE public.broadcast_deliveries (
    id integer NOT NULL,
    broadcast_id integer NOT NULL,
    user_id bigint NOT NULL,
    state character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.broadcast_deliveries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.broadcast_deliveries_id_seq OWNED BY public.broadcast_deliveries.id;
CREATE TABLE public.broadcasts (
    id integer NOT NULL,
    operator_id bigint NOT NULL,
    progress_chat_id bigint,
    progress_message_id bigint,
    text text NOT NULL,
    photo_file_id text,
    state character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone
);
CREATE SEQUENCE public.broadcasts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.broadcasts_id_seq OWNED BY public.broadcasts.id;
CREATE TABLE public.console_settings (
    name character varying(64) NOT NULL,
    value_json text NOT NULL,
    updated_by bigint,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE public.favourites (
    id integer NOT NULL,
    user_id bigint NOT NULL,
    service_id character varying(64) NOT NULL,
    service_name text NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.favourites_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.favourites_id_seq OWNED BY public.favourites.id;
CREATE TABLE public.invites (
    code character varying(64) NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    max_uses integer,
    uses integer NOT NULL,
    revoked_at timestamp with time zone
);
CREATE TABLE public.mass_orders (
    id integer NOT NULL,
    user_id bigint NOT NULL,
    state character varying(16) NOT NULL,
    lines_json text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    claimed_at timestamp with time zone,
    finished_at timestamp with time zone
);
CREATE SEQUENCE public.mass_orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.mass_orders_id_seq OWNED BY public.mass_orders.id;
CREATE TABLE public.orders (
    id integer NOT NULL,
    user_id bigint NOT NULL,
    placement character varying(16) NOT NULL,
    panel_order_id character varying(64),
    service_id character varying(64) NOT NULL,
    service_name text NOT NULL,
    service_type character varying(64) NOT NULL,
    link text,
    quantity bigint,
    fields_json text NOT NULL,
    price character varying(40),
    charge character varying(40),
    currency character varying(16),
    can_refill boolean,
    can_cancel boolean,
    error text,
    status character varying(64),
    status_raw text,
    remains bigint,
    start_count bigint,
    announced_status text,
    created_at timestamp with time zone NOT NULL,
    claimed_at timestamp with time zone,
    placed_at timestamp with time zone,
    checked_at timestamp with time zone
);
CREATE SEQUENCE public.orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;
CREATE TABLE public.panel_profiles (
    api_url text NOT NULL,
    capabilities_json text NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE public.panel_tasks (
    id integer NOT NULL,
    kind character varying(16) NOT NULL,
    user_id bigint NOT NULL,
    panel_order_id character varying(64) NOT NULL,
    panel_task_id character varying(64),
    status character varying(64),
    status_raw text,
    announced_status text,
    created_at timestamp with time zone NOT NULL,
    checked_at timestamp with time zone
);
CREATE SEQUENCE public.panel_tasks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.panel_tasks_id_seq OWNED BY public.panel_tasks.id;
CREATE TABLE public.push_log (
    id integer NOT NULL,
    user_id bigint NOT NULL,
    outcome character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.push_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.push_log_id_seq OWNED BY public.push_log.id;
CREATE TABLE public.runtime_state (
    name character varying(64) NOT NULL,
    value_json text NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE public.users (
    telegram_id bigint NOT NULL,
    api_key_encrypted text,
    key_fingerprint character varying(64),
    language character varying(8) NOT NULL,
    time_zone character varying(64),
    notify boolean NOT NULL,
    active boolean NOT NULL,
    key_rejected boolean NOT NULL,
    blocked_at timestamp with time zone,
    admitted_at timestamp with time zone,
    seen_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);
ALTER TABLE ONLY public.broadcast_deliveries ALTER COLUMN id SET DEFAULT nextval('public.broadcast_deliveries_id_seq'::regclass);
ALTER TABLE ONLY public.broadcasts ALTER COLUMN id SET DEFAULT nextval('public.broadcasts_id_seq'::regclass);
ALTER TABLE ONLY public.favourites ALTER COLUMN id SET DEFAULT nextval('public.favourites_id_seq'::regclass);
ALTER TABLE ONLY public.mass_orders ALTER COLUMN id SET DEFAULT nextval('public.mass_orders_id_seq'::regclass);
ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);
ALTER TABLE ONLY public.panel_tasks ALTER COLUMN id SET DEFAULT nextval('public.panel_tasks_id_seq'::regclass);
ALTER TABLE ONLY public.push_log ALTER COLUMN id SET DEFAULT nextval('public.push_log_id_seq'::regclass);
INSERT INTO public.audit_log VALUES (1, 7001, 'setting', 'welcome', 'welcome_text', 'null', '{"en": "Hi"}', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.broadcast_deliveries VALUES (1, 1, 1001, 'sent', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.broadcast_deliveries VALUES (2, 1, 7123456789, 'blocked', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.broadcasts VALUES (1, 7001, 7001, 42, 'News ✨', NULL, 'done', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.console_settings VALUES ('welcome_text', '{"en": "Hi <b>there</b>", "ru": "\u041f\u0440\u0438\u0432\u0435\u0442"}', 7001, '2026-12-01 10:30:15.123456+00');
INSERT INTO public.favourites VALUES (1, 1001, '1', 'Instagram Followers', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.invites VALUES ('inv-abc123', 7001, '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00', 5, 2, NULL);
INSERT INTO public.mass_orders VALUES (1, 1001, 'done', '[[1, 1]]', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.orders VALUES (1, 1001, 'placed', '9999999999999999999999', '1', 'Instagram Followers <b>', 'Default', 'https://instagram.com/a', 2000, '{"link": "https://instagram.com/a", "quantity": "2000"}', '0.00001234', '12345678.12345', 'USD', true, false, NULL, 'in_progress', 'In progress', 60, 1200, 'Pending', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.orders VALUES (2, 7123456789, 'unknown', NULL, '77', 'Views', 'Package', NULL, NULL, '{}', '100.00', NULL, 'EUR', NULL, NULL, 'timeout', NULL, NULL, NULL, NULL, NULL, '2026-12-01 10:30:15.123456+00', NULL, NULL, NULL);
INSERT INTO public.panel_profiles VALUES ('https://panel.example/api/v2', '{"status_batch": true}', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.panel_tasks VALUES (1, 'refill', 1001, '9999999999999999999999', '555', 'pending', 'Pending', NULL, '2026-12-01 10:30:15.123456+00', NULL);
INSERT INTO public.push_log VALUES (1, 1001, 'sent', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.push_log VALUES (2, 7123456789, 'blocked', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.runtime_state VALUES ('last_poll', '{"at": "2026-12-01T10:30:15+00:00", "keys": 2}', '2026-12-01 10:30:15.123456+00');
INSERT INTO public.users VALUES (1001, 'gAAAAABrFxof4cjp2ISYgY8yop2AoytGChWhUflaSpEmDQnpV-JMYuzvJHNTXCpWuFHt3xFb-B_MuvHaGEmy5iFrWJJ46-3qL72iLDqgm-LyemneqcLSX1dC8dkeKqMq1-cKPhNCTIqw', '7fef1fbdbf819b52ca390dfd0dbcb2ae7ed9cdcf6cf4d5970d3a3198dbd36211', 'en', NULL, true, true, false, NULL, NULL, '2026-12-07 20:42:07.806426+00', '2026-12-07 20:42:07.806598+00', '2026-12-07 20:42:07.814505+00');
INSERT INTO public.users VALUES (7123456789, 'gAAAAABrFxofskTa8IuZLiXlhOrrljxlaQoVqorQPOU0qT9BZzaU-FKbz3qr-XfPOWkcBwfzLsnQWTbUYFqg6ndKcrtIxjheqbeMzr0zQc5NGJnZ_Qafme0bX9slMrdfn_esNXX3x4vo', '32a57c9ddf3815aa7d20e261638b8b4f90384da250d8920c4305dc74c64bca2f', 'pt-BR', NULL, true, true, false, NULL, NULL, '2026-12-07 20:42:07.818446+00', '2026-12-07 20:42:07.818579+00', '2026-12-07 20:42:07.821912+00');
INSERT INTO public.users VALUES (2002, NULL, NULL, 'ru', NULL, true, true, false, NULL, NULL, '2026-12-07 20:42:07.824846+00', '2026-12-07 20:42:07.824958+00', '2026-12-07 20:42:07.824976+00');
SELECT pg_catalog.setval('public.audit_log_id_seq', 1, true);
SELECT pg_catalog.setval('public.broadcast_deliveries_id_seq', 2, true);
SELECT pg_catalog.setval('public.broadcasts_id_seq', 1, true);
SELECT pg_catalog.setval('public.favourites_id_seq', 1, true);
SELECT pg_catalog.setval('public.mass_orders_id_seq', 1, true);
SELECT pg_catalog.setval('public.orders_id_seq', 2, true);
SELECT pg_catalog.setval('public.panel_tasks_id_seq', 1, true);
SELECT pg_catalog.setval('public.push_log_id_seq', 2, true);
ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.broadcast_deliveries
    ADD CONSTRAINT broadcast_deliveries_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.broadcasts
    ADD CONSTRAINT broadcasts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.console_settings
    ADD CONSTRAINT console_settings_pkey PRIMARY KEY (name);
ALTER TABLE ONLY public.favourites
    ADD CONSTRAINT favourites_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.invites
    ADD CONSTRAINT invites_pkey PRIMARY KEY (code);
ALTER TABLE ONLY public.mass_orders
    ADD CONSTRAINT mass_orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.panel_profiles
    ADD CONSTRAINT panel_profiles_pkey PRIMARY KEY (api_url);
ALTER TABLE ONLY public.panel_tasks
    ADD CONSTRAINT panel_tasks_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.push_log
    ADD CONSTRAINT push_log_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.runtime_state
    ADD CONSTRAINT runtime_state_pkey PRIMARY KEY (name);
ALTER TABLE ONLY public.broadcast_deliveries
    ADD CONSTRAINT uq_broadcast_user UNIQUE (broadcast_id, user_id);
ALTER TABLE ONLY public.favourites
    ADD CONSTRAINT uq_favourite_user_service UNIQUE (user_id, service_id);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT uq_order_owner_panel_id UNIQUE (user_id, panel_order_id);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (telegram_id);
CREATE INDEX ix_audit_log_created_at ON public.audit_log USING btree (created_at);
CREATE INDEX ix_audit_log_operator_id ON public.audit_log USING btree (operator_id);
CREATE INDEX ix_broadcast_deliveries_broadcast_id ON public.broadcast_deliveries USING btree (broadcast_id);
CREATE INDEX ix_broadcast_deliveries_state ON public.broadcast_deliveries USING btree (state);
CREATE INDEX ix_broadcasts_state ON public.broadcasts USING btree (state);
CREATE INDEX ix_favourites_user_id ON public.favourites USING btree (user_id);
CREATE INDEX ix_mass_orders_user_id ON public.mass_orders USING btree (user_id);
CREATE INDEX ix_orders_panel_order_id ON public.orders USING btree (panel_order_id);
CREATE INDEX ix_orders_placement ON public.orders USING btree (placement);
CREATE INDEX ix_orders_user_id ON public.orders USING btree (user_id);
CREATE INDEX ix_panel_tasks_kind ON public.panel_tasks USING btree (kind);
CREATE INDEX ix_panel_tasks_user_id ON public.panel_tasks USING btree (user_id);
CREATE INDEX ix_push_log_created_at ON public.push_log USING btree (created_at);
CREATE INDEX ix_users_key_fingerprint ON public.users USING btree (key_fingerprint);
