-- Settlement reports a member can prove (issue 14). The tuple of an epoch
-- that closed a business date signs the Merkle root over every clearing
-- member's obligations in it (settlement/obligation_proof.h); each member's
-- proof (its leaf and the two branches, encode_obligation_proof) is kept
-- with the run so the member can be served it with the epoch's certificate.
-- Written in the epoch's transaction, like the run itself.
CREATE TABLE obligation_proofs (
    settlement_date  date    NOT NULL REFERENCES settlement_runs (settlement_date),
    member_id        text    NOT NULL REFERENCES members (member_id),
    proof            bytea   NOT NULL
                     CONSTRAINT obligation_proofs_proof_length CHECK (octet_length(proof) BETWEEN 1 AND 16777216),
    PRIMARY KEY (settlement_date, member_id)
);
