-- Audit: one failed warning-level expectation of a published table (executed per warning).
INSERT INTO core.audit_warning
    (snapshot_date, table_name, check_name, expectation, unexpected_count, element_count,
     message)
VALUES
    (:snapshot_date, :table_name, :check_name, :expectation, :unexpected_count, :element_count,
     :message);
