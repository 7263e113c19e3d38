"""The data hub's records: registered sources and the datasets received from them, each source record and its
link into the person spine, the clerical review queue and its decisions, cluster changes (merges and splits), and
research projects with the extracts made for them."""

from .hub import (
    Candidate,
    CandidateStatus,
    ClericalDecision,
    ClusterChange,
    ClusterChangeKind,
    Dataset,
    DatasetStatus,
    LinkMethod,
    MatchMode,
    RecordStatus,
    Source,
    SourceKind,
    SourceRecord,
)
from .research import ProjectStatus, ResearchExtract, ResearchProject

__all__ = [
    "Candidate", "CandidateStatus", "ClericalDecision", "ClusterChange", "ClusterChangeKind", "Dataset",
    "DatasetStatus", "LinkMethod", "MatchMode", "ProjectStatus", "RecordStatus", "ResearchExtract",
    "ResearchProject", "Source", "SourceKind", "SourceRecord",
]
