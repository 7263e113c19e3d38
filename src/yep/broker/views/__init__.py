"""Brokerage's pages, one module per part of the work: the EPC's board, referrals and allocation (board); the
support a lead worker gives and the caseload (support); school panels and business cases (panels); continuity,
endings and follow-ups (continuity)."""
