"""Typed SQLAlchemy models, one module per area."""
from quarantine.models.api import *  # noqa: E402,F401,F403  (names in api.__all__)
from quarantine.models.audit import AuditEvent
from quarantine.models.auth import ALL_SITE_ROLES, ROLES, User, user_sites
from quarantine.models.health import *  # noqa: E402,F401,F403  (names in health.__all__)
from quarantine.models.notices import *  # noqa: E402,F401,F403  (names in notices.__all__)
from quarantine.models.people import CURRENT_STATUSES, PERSON_STATUSES, Person, Stay, person_needs
from quarantine.models.planning import (
    PLAN_STATUSES,
    RESERVATION_STATUSES,
    UNFINISHED_PLAN_STATUSES,
    PlanRun,
    PlanRunSite,
    Reservation,
)
from quarantine.models.policy import Policy
from quarantine.models.reference import AreaType, Category, Diet, Need, ZoneType
from quarantine.models.reminders import *  # noqa: E402,F401,F403  (names in reminders.__all__)
from quarantine.models.rooms import ROOM_STATUSES, Building, Room, RoomEvent
from quarantine.models.roster import ALIAS_KINDS, RosterUpload, VocabularyAlias
from quarantine.models.selfreport import *  # noqa: E402,F401,F403  (names in selfreport.__all__)
from quarantine.models.sites import (
    PASSAGE_KINDS,
    RECEIVING_STATUSES,
    SITE_KINDS,
    SITE_STATUSES,
    FunctionalArea,
    Passage,
    Site,
    Zone,
    zone_buildings,
)
from quarantine.models.staff import *  # noqa: E402,F401,F403  (names in staff.__all__)
from quarantine.models.supplies import *  # noqa: E402,F401,F403  (names in supplies.__all__)
from quarantine.models.transfers import BATCH_STATUSES, TransferBatch
from quarantine.models.waste import *  # noqa: E402,F401,F403  (names in waste.__all__)

__all__ = [
    "ALL_SITE_ROLES", "AreaType", "AuditEvent", "BATCH_STATUSES", "Building", "CURRENT_STATUSES", "Category", "Diet",
    "FunctionalArea", "Need", "PASSAGE_KINDS", "PERSON_STATUSES", "PLAN_STATUSES", "Passage", "Person", "PlanRun", "PlanRunSite", "Policy",
    "RESERVATION_STATUSES", "Reservation",
    "RECEIVING_STATUSES", "ROLES", "ROOM_STATUSES", "Room", "RoomEvent", "SITE_KINDS", "SITE_STATUSES",
    "Site", "Stay", "TransferBatch", "UNFINISHED_PLAN_STATUSES", "User", "Zone", "ZoneType", "person_needs", "user_sites",
    "zone_buildings", "ALIAS_KINDS", "RosterUpload", "VocabularyAlias",
]
from quarantine.models import api as _api  # noqa: E402
from quarantine.models import health as _health  # noqa: E402
from quarantine.models import notices as _notices  # noqa: E402
from quarantine.models import reminders as _reminders  # noqa: E402
from quarantine.models import selfreport as _selfreport  # noqa: E402
from quarantine.models import staff as _staff  # noqa: E402
from quarantine.models import supplies as _supplies  # noqa: E402
from quarantine.models import waste as _waste  # noqa: E402

__all__ += (_api.__all__ + _notices.__all__ + _staff.__all__ + _health.__all__ + _supplies.__all__ + _waste.__all__
            + _selfreport.__all__ + _reminders.__all__)
