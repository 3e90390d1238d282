"""Make the ledger rules true in the database, not only in code:

- ledger entries are append-only: a row trigger refuses UPDATE and DELETE (TRUNCATE, the table
  owner's tool that test suites use to reset, is left alone);
- an entry's currency is its ledger's: a composite foreign key (ledger_id, currency) references
  ledger (id, currency), which Django cannot declare on a model.
"""

from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION accounts_ledgerentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION accounts_ledgerentry_refuse_change();

ALTER TABLE accounts_ledgerentry
    ADD CONSTRAINT ledger_entry_currency_is_ledger_currency
    FOREIGN KEY (ledger_id, currency) REFERENCES accounts_ledger (id, currency);
"""

REVERSE = """
ALTER TABLE accounts_ledgerentry DROP CONSTRAINT ledger_entry_currency_is_ledger_currency;
DROP TRIGGER accounts_ledgerentry_append_only ON accounts_ledgerentry;
DROP FUNCTION accounts_ledgerentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, REVERSE)]
