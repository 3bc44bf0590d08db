-- The import that first brought each name of a payee (its first voucher
-- to carry the name), so that abandoning an import stopped midway
-- (payment.Service.AbandonImport) takes away the names it brought: kept,
-- a name from the abandoned file found the payee's own payments, though
-- no voucher carries it any more. A name already there keeps its import
-- (the insert does nothing on conflict), and names from before this
-- migration have none: their imports had all landed or stopped, and one
-- stopped then and abandoned later leaves its names, as before.
ALTER TABLE payment_payees ADD COLUMN first_import_id BIGINT;
