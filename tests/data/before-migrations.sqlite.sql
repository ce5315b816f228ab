-- Made by the bot before migrations (main at 30a5c3f): today's create_all + sample rows,
-- API keys encrypted with tests/test_migrations.py SNAPSHOT_KEY. Never regenerate.
BEGIN TRANSACTION;
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	operator_id BIGINT NOT NULL, 
	action VARCHAR(64) NOT NULL, 
	detail TEXT NOT NULL, 
	setting VARCHAR(64), 
	before_json TEXT, 
	after_json TEXT, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "audit_log" VALUES(1,7001,'setting','welcome','welcome_text','null','{"en": "Hi"}','2026-12-01 10:30:15.123456');
CREATE TABLE broadcast_deliveries (
	id INTEGER NOT NULL, 
	broadcast_id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_broadcast_user UNIQUE (broadcast_id, user_id)
);
INSERT INTO "broadcast_deliveries" VALUES(1,1,1001,'sent','2026-12-01 10:30:15.123456');
INSERT INTO "broadcast_deliveries" VALUES(2,1,7123456789,'blocked','2026-12-01 10:30:15.123456');
CREATE TABLE broadcasts (
	id INTEGER NOT NULL, 
	operator_id BIGINT NOT NULL, 
	progress_chat_id BIGINT, 
	progress_message_id BIGINT, 
	text TEXT NOT NULL, 
	photo_file_id TEXT, 
	state VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	started_at DATETIME, 
	finished_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO "broadcasts" VALUES(1,7001,7001,42,'News ✨',NULL,'done','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456');
CREATE TABLE console_settings (
	name VARCHAR(64) NOT NULL, 
	value_json TEXT NOT NULL, 
	updated_by BIGINT, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (name)
);
INSERT INTO "console_settings" VALUES('welcome_text','{"en": "Hi <b>there</b>", "ru": "\u041f\u0440\u0438\u0432\u0435\u0442"}',7001,'2026-12-01 10:30:15.123456');
CREATE TABLE favourites (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	service_id VARCHAR(64) NOT NULL, 
	service_name TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_favourite_user_service UNIQUE (user_id, service_id)
);
INSERT INTO "favourites" VALUES(1,1001,'1','Instagram Followers','2026-12-01 10:30:15.123456');
CREATE TABLE invites (
	code VARCHAR(64) NOT NULL, 
	created_by BIGINT NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	max_uses INTEGER, 
	uses INTEGER NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (code)
);
INSERT INTO "invites" VALUES('inv-abc123',7001,'2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456',5,2,NULL);
CREATE TABLE mass_orders (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	lines_json TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	claimed_at DATETIME, 
	finished_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO "mass_orders" VALUES(1,1001,'done','[[1, 1]]','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456');
CREATE TABLE orders (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	placement VARCHAR(16) NOT NULL, 
	panel_order_id VARCHAR(64), 
	service_id VARCHAR(64) NOT NULL, 
	service_name TEXT NOT NULL, 
	service_type VARCHAR(64) NOT NULL, 
	link TEXT, 
	quantity BIGINT, 
	fields_json TEXT NOT NULL, 
	price VARCHAR(40), 
	charge VARCHAR(40), 
	currency VARCHAR(16), 
	can_refill BOOLEAN, 
	can_cancel BOOLEAN, 
	error TEXT, 
	status VARCHAR(64), 
	status_raw TEXT, 
	remains BIGINT, 
	start_count BIGINT, 
	announced_status TEXT, 
	created_at DATETIME NOT NULL, 
	claimed_at DATETIME, 
	placed_at DATETIME, 
	checked_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_order_owner_panel_id UNIQUE (user_id, panel_order_id)
);
INSERT INTO "orders" VALUES(1,1001,'placed','9999999999999999999999','1','Instagram Followers <b>','Default','https://instagram.com/a',2000,'{"link": "https://instagram.com/a", "quantity": "2000"}','0.00001234','12345678.12345','USD',1,0,NULL,'in_progress','In progress',60,1200,'Pending','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456','2026-12-01 10:30:15.123456');
INSERT INTO "orders" VALUES(2,7123456789,'unknown',NULL,'77','Views','Package',NULL,NULL,'{}','100.00',NULL,'EUR',NULL,NULL,'timeout',NULL,NULL,NULL,NULL,NULL,'2026-12-01 10:30:15.123456',NULL,NULL,NULL);
CREATE TABLE panel_profiles (
	api_url TEXT NOT NULL, 
	capabilities_json TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (api_url)
);
INSERT INTO "panel_profiles" VALUES('https://panel.example/api/v2','{"status_batch": true}','2026-12-01 10:30:15.123456');
CREATE TABLE panel_tasks (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	user_id BIGINT NOT NULL, 
	panel_order_id VARCHAR(64) NOT NULL, 
	panel_task_id VARCHAR(64), 
	status VARCHAR(64), 
	status_raw TEXT, 
	announced_status TEXT, 
	created_at DATETIME NOT NULL, 
	checked_at DATETIME, 
	PRIMARY KEY (id)
);
INSERT INTO "panel_tasks" VALUES(1,'refill',1001,'9999999999999999999999','555','pending','Pending',NULL,'2026-12-01 10:30:15.123456',NULL);
CREATE TABLE push_log (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "push_log" VALUES(1,1001,'sent','2026-12-01 10:30:15.123456');
INSERT INTO "push_log" VALUES(2,7123456789,'blocked','2026-12-01 10:30:15.123456');
CREATE TABLE runtime_state (
	name VARCHAR(64) NOT NULL, 
	value_json TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (name)
);
INSERT INTO "runtime_state" VALUES('last_poll','{"at": "2026-12-01T10:30:15+00:00", "keys": 2}','2026-12-01 10:30:15.123456');
CREATE TABLE users (
	telegram_id BIGINT NOT NULL, 
	api_key_encrypted TEXT, 
	key_fingerprint VARCHAR(64), 
	language VARCHAR(8) NOT NULL, 
	time_zone VARCHAR(64), 
	notify BOOLEAN NOT NULL, 
	active BOOLEAN NOT NULL, 
	key_rejected BOOLEAN NOT NULL, 
	blocked_at DATETIME, 
	admitted_at DATETIME, 
	seen_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (telegram_id)
);
INSERT INTO "users" VALUES(1001,'gAAAAABrFxoVBfOn8bf2GvapEXErbONshV_jQ1Ptv_SuWG8JCKyHYiXcV1iLvDLD3-M_uCg8BZn9eMIXBd3sRmHTix6OWOaM1F9XHrQfTHgMb7b0TaMIaLOFYLDj43jWCZqGYVrZ6BBr','7fef1fbdbf819b52ca390dfd0dbcb2ae7ed9cdcf6cf4d5970d3a3198dbd36211','en',NULL,1,1,0,NULL,NULL,'2026-12-07 20:41:57.902265','2026-12-07 20:41:57.902429','2026-12-07 20:41:57.915471');
INSERT INTO "users" VALUES(7123456789,'gAAAAABrFxoVPtjjV5wrX1hRnxj1yrogOGTR5yUmUFQMdWDWJuzHyY1L17k_HXwZh-QX1WYidPGAj52Lp4aaK_Mvo9SP6wANJdS8lMjYhsc-3c44VB1DJFaMz2un-1QOSiwnHFWtgo36','32a57c9ddf3815aa7d20e261638b8b4f90384da250d8920c4305dc74c64bca2f','pt-BR',NULL,1,1,0,NULL,NULL,'2026-12-07 20:41:57.923473','2026-12-07 20:41:57.923590','2026-12-07 20:41:57.927496');
INSERT INTO "users" VALUES(2002,NULL,NULL,'ru',NULL,1,1,0,NULL,NULL,'2026-12-07 20:41:57.933644','2026-12-07 20:41:57.933748','2026-12-07 20:41:57.933764');
CREATE INDEX ix_users_key_fingerprint ON users (key_fingerprint);
CREATE INDEX ix_orders_placement ON orders (placement);
CREATE INDEX ix_orders_user_id ON orders (user_id);
CREATE INDEX ix_orders_panel_order_id ON orders (panel_order_id);
CREATE INDEX ix_panel_tasks_kind ON panel_tasks (kind);
CREATE INDEX ix_panel_tasks_user_id ON panel_tasks (user_id);
CREATE INDEX ix_audit_log_created_at ON audit_log (created_at);
CREATE INDEX ix_audit_log_operator_id ON audit_log (operator_id);
CREATE INDEX ix_broadcasts_state ON broadcasts (state);
CREATE INDEX ix_broadcast_deliveries_state ON broadcast_deliveries (state);
CREATE INDEX ix_broadcast_deliveries_broadcast_id ON broadcast_deliveries (broadcast_id);
CREATE INDEX ix_push_log_created_at ON push_log (created_at);
CREATE INDEX ix_mass_orders_user_id ON mass_orders (user_id);
CREATE INDEX ix_favourites_user_id ON favourites (user_id);
COMMIT;
