-- The database's two roles (deploy/README.md, "Database roles"). Run by db-roles.sh as a superuser,
-- connected to the application's database, in one transaction, once these settings are set:
--   hemsjukvard.owner_role, hemsjukvard.owner_password   the migration role: owns the schema
--   hemsjukvard.app_role, hemsjukvard.app_password       web, worker, beat: reads and writes rows only
-- An empty password leaves the role's password as it is. Safe to run again: after an upgrade, after a
-- restore, or on a database made before the roles existed (the owner role takes over its objects).
DO $roles$
DECLARE
    owner_role text := current_setting('hemsjukvard.owner_role');
    app_role text := current_setting('hemsjukvard.app_role');
    passwords text[] := ARRAY[
        coalesce(current_setting('hemsjukvard.owner_password', true), ''),
        coalesce(current_setting('hemsjukvard.app_password', true), '')
    ];
    roles text[] := ARRAY[owner_role, app_role];
    database text := current_database();
    item record;
BEGIN
    IF owner_role = '' OR app_role = '' OR owner_role = app_role THEN
        RAISE EXCEPTION 'name two different roles (owner "%", application "%")', owner_role, app_role;
    END IF;

    -- Both log in; neither is a superuser nor may create roles or databases, so neither can set
    -- session_replication_role, and only the owner can disable a trigger or drop a table.
    FOR i IN 1..2 LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = roles[i]) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', roles[i]);
        END IF;
        EXECUTE format(
            'ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', roles[i]
        );
        IF passwords[i] <> '' THEN
            EXECUTE format('ALTER ROLE %I PASSWORD %L', roles[i], passwords[i]);
        END IF;
    END LOOP;
    -- The application's role must not act as the owner through a membership.
    IF pg_has_role(app_role, owner_role, 'MEMBER') THEN
        EXECUTE format('REVOKE %I FROM %I', owner_role, app_role);
    END IF;

    -- The owner owns the database, and with it (PostgreSQL 15) the public schema: it alone creates
    -- tables there. Everyone else connects only if granted.
    EXECUTE format('ALTER DATABASE %I OWNER TO %I', database, owner_role);
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', database);
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', database, app_role);
    IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') <> 'pg_database_owner'::regrole THEN
        EXECUTE format('ALTER SCHEMA public OWNER TO %I', owner_role);
    END IF;
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', app_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);

    -- A database made before the roles existed: its tables (the access log's monthly partitions too,
    -- which depend on their parent), views, free-standing sequences and functions pass to the owner
    -- (not an extension's: pg_trgm keeps its own).
    FOR item IN
        SELECT c.oid::regclass AS name, c.relkind
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> owner_role::regrole
          AND (c.relispartition OR NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')
                -- a partitioned table depends on itself through its partition key
                AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid)
          ))
        ORDER BY c.relkind = 'S'
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE WHEN item.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, item.name, owner_role);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proowner <> owner_role::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          )
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.name, owner_role);
    END LOOP;

    -- The application reads and writes rows: of every table there is, and of every table the owner
    -- creates later (migrations). No TRUNCATE, no REFERENCES, no TRIGGER, no DDL.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        owner_role, app_role
    );
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I',
        owner_role, app_role
    );
    -- ... except row changes of the append-only tables and of every monthly partition of the access
    -- log (their triggers refuse them to every role too; migrations audit 0006 and 0007 revoke the same
    -- when they run after this, and a partition created later has them revoked as it is created).
    FOR item IN
        SELECT to_regclass('public.' || t) AS name
        FROM unnest(ARRAY['audit_accesslogentry', 'audit_accesslogreview', 'audit_accesslogextract']) AS t
        UNION ALL
        SELECT inhrelid::regclass FROM pg_inherits
        WHERE inhparent = to_regclass('public.audit_accesslogentry')
    LOOP
        IF item.name IS NOT NULL THEN
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM %I', item.name, app_role);
        END IF;
    END LOOP;
    -- The access log's partitions (migration audit 0007): the application's beat tasks create the
    -- months ahead and drop a month once it is archived and older than five years, through functions
    -- that run as the owner and do only that. Nobody else may call them.
    FOR item IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proname IN ('audit_accesslog_create_partition', 'audit_accesslog_drop_partition')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', item.name);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', item.name, app_role);
    END LOOP;
END
$roles$;
