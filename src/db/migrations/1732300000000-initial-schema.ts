import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Partners, their users, customer tenants with their relationships to partners,
 * subscriptions, purchase permissions, indirect links, the audit log and
 * idempotency keys. Every filter and order the API offers has an index here.
 */
export class InitialSchema1732300000000 implements MigrationInterface {
  name = "InitialSchema1732300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE partner (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        mpn_id text NOT NULL UNIQUE CHECK (mpn_id ~ '^[0-9]{1,12}$'),
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('DIRECT_BILL', 'INDIRECT_PROVIDER', 'INDIRECT_RESELLER')),
        cloud text NOT NULL CHECK (cloud IN ('COMMERCIAL', 'US_GOVERNMENT')),
        country char(2) NOT NULL,
        region text NOT NULL,
        mpa_signed boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE partner_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        email text NOT NULL,
        display_name text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (partner_id, email)
      )`);

    await q.query(`
      CREATE TABLE business_profile (
        partner_id uuid PRIMARY KEY REFERENCES partner(id),
        description text,
        website text,
        industries text[] NOT NULL DEFAULT '{}',
        products text[] NOT NULL DEFAULT '{}',
        services text[] NOT NULL DEFAULT '{}',
        target_customer_sizes text[] NOT NULL DEFAULT '{}',
        locations jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE customer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL UNIQUE,
        cloud text NOT NULL CHECK (cloud IN ('COMMERCIAL', 'US_GOVERNMENT')),
        company_name text NOT NULL,
        default_domain text NOT NULL UNIQUE CHECK (default_domain = lower(default_domain)),
        organization_registration_number text,
        qualification text NOT NULL DEFAULT 'NONE',
        culture text NOT NULL,
        language text NOT NULL,
        billing_first_name text,
        billing_last_name text,
        billing_email text NOT NULL,
        billing_phone_number text,
        address_line1 text NOT NULL,
        address_line2 text,
        city text,
        state text,
        postal_code text,
        country char(2) NOT NULL,
        initial_admin_user_name text,
        initial_admin_password_hash text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX customer_company_name_idx ON customer (company_name, id)`);
    await q.query(`CREATE INDEX customer_created_at_idx ON customer (created_at, id)`);
    await q.query(`CREATE INDEX customer_updated_at_idx ON customer (updated_at, id)`);
    await q.query(`CREATE INDEX customer_country_idx ON customer (country)`);
    // search (substring) and companyNamePrefix both run on lower(company_name)
    await q.query(`CREATE INDEX customer_company_name_trgm_idx ON customer USING gin (lower(company_name) gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE customer_domain (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        customer_id uuid NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
        is_default boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX customer_domain_customer_idx ON customer_domain (customer_id)`);
    await q.query(`CREATE INDEX customer_domain_prefix_idx ON customer_domain (domain text_pattern_ops)`);
    await q.query(`CREATE INDEX customer_domain_trgm_idx ON customer_domain USING gin (domain gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE customer_relationship (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'REMOVED')),
        type text NOT NULL DEFAULT 'RESELLER' CHECK (type IN ('RESELLER', 'ADVISOR')),
        established_via text NOT NULL CHECK (established_via IN ('CREATED', 'INVITATION')),
        delegated_admin boolean NOT NULL DEFAULT false,
        indirect_reseller_id uuid REFERENCES partner(id),
        indirect_provider_id uuid REFERENCES partner(id),
        established_at timestamptz(3) NOT NULL DEFAULT now(),
        removed_at timestamptz(3),
        UNIQUE (partner_id, customer_id)
      )`);
    await q.query(`CREATE INDEX customer_relationship_customer_idx ON customer_relationship (customer_id)`);
    await q.query(`CREATE INDEX customer_relationship_partner_status_idx ON customer_relationship (partner_id, status)`);
    await q.query(`CREATE INDEX customer_relationship_reseller_idx ON customer_relationship (indirect_reseller_id) WHERE indirect_reseller_id IS NOT NULL`);
    await q.query(`CREATE INDEX customer_relationship_provider_idx ON customer_relationship (indirect_provider_id) WHERE indirect_provider_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE indirect_relationship (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES partner(id),
        reseller_id uuid NOT NULL REFERENCES partner(id),
        status text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'REMOVED')),
        invited_at timestamptz(3) NOT NULL DEFAULT now(),
        activated_at timestamptz(3),
        removed_at timestamptz(3)
      )`);
    await q.query(`CREATE UNIQUE INDEX indirect_relationship_open_pair_idx ON indirect_relationship (provider_id, reseller_id) WHERE status IN ('PENDING', 'ACTIVE')`);
    await q.query(`CREATE INDEX indirect_relationship_reseller_idx ON indirect_relationship (reseller_id, status)`);

    await q.query(`
      CREATE TABLE subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        partner_id uuid NOT NULL REFERENCES partner(id),
        offer_name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('LICENSE', 'AZURE_PLAN', 'AZURE_RESERVATION', 'SOFTWARE')),
        quantity integer NOT NULL CHECK (quantity > 0),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CANCELLED')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX subscription_customer_idx ON subscription (customer_id, partner_id, created_at, id)`);

    await q.query(`
      CREATE TABLE purchase_permission (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        subscription_id uuid NOT NULL REFERENCES subscription(id),
        resource text NOT NULL CHECK (resource IN ('AZURE_RESERVATIONS', 'AZURE_SAVINGS_PLANS')),
        action text NOT NULL DEFAULT 'PURCHASE' CHECK (action IN ('PURCHASE')),
        granted_by uuid NOT NULL REFERENCES partner_user(id),
        granted_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (partner_id, customer_id, resource)
      )`);
    await q.query(`CREATE INDEX purchase_permission_customer_idx ON purchase_permission (customer_id)`);

    await q.query(`
      CREATE TABLE audit_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id uuid NOT NULL REFERENCES partner(id),
        customer_id uuid REFERENCES customer(id),
        operation_type text NOT NULL,
        resource_type text NOT NULL,
        actor_user_id uuid NOT NULL,
        actor_email text NOT NULL,
        actor_roles text[] NOT NULL,
        old_value jsonb,
        new_value jsonb,
        at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX audit_record_partner_at_idx ON audit_record (partner_id, at, id)`);
    await q.query(`CREATE INDEX audit_record_customer_at_idx ON audit_record (partner_id, customer_id, at, id)`);

    await q.query(`
      CREATE TABLE idempotency_key (
        partner_id uuid NOT NULL REFERENCES partner(id),
        key text NOT NULL,
        request_hash text NOT NULL,
        result jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (partner_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      "idempotency_key",
      "audit_record",
      "purchase_permission",
      "subscription",
      "indirect_relationship",
      "customer_relationship",
      "customer_domain",
      "customer",
      "business_profile",
      "partner_user",
      "partner",
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
