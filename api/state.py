"""What the running service holds: one store, the audit trail (read and write), the accounts, the load lock."""
from __future__ import annotations

import gc
import logging
import threading

from api.audit_writer import GroupCommitAudit
from api.config import ApiSettings
from graph.accounts import Accounts
from graph.audit import AuditTrail
from graph.errors import StoreUnavailable
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from graph.supervision.outbox import Courier

log = logging.getLogger("creditnet.api")


class Service:
    def __init__(self, settings: Settings, api_settings: ApiSettings):
        self.settings, self.api_settings = settings, api_settings
        self.accounts: Accounts | None = None
        self.audit: AuditTrail | None = None           # reading the trail
        self.recorder: GroupCommitAudit | None = None  # writing it, on a connection of its own
        self._store: GraphStore | None = None
        self._open_lock = threading.Lock()
        # One file loads at a time: a store has one writer, and a department's file is one transaction.
        self.load_lock = threading.Lock()
        self.courier: Courier | None = None  # sends the webhooks' outbox in the background


    def start(self) -> None:
        self.courier = Courier(self.settings.home, self.settings)
        self.courier.start()
        self.accounts = Accounts(self.settings.home)
        self.audit = AuditTrail(self.settings.home)
        self.recorder = GroupCommitAudit(AuditTrail(self.settings.home), self.settings.home / "audit.lock",
                                         synchronous=self.api_settings.audit_synchronous)
        try:
            self.warm()
        except StoreUnavailable as exc:  # Neo4j may come up later: health says not ready, requests retry
            log.warning("store not available at startup: %s", exc.message)

    def warm(self) -> None:
        """Build what the first reader would build (the embedded store's party graph) before it is needed,
        so that readiness means ready and no check pays for it. Then move everything alive into the
        garbage collector's permanent generation: a full collection walking a 100,000-enterprise graph
        stalls every request for 100 ms and more, and that graph only changes with the data."""
        with self.store().reader():
            pass
        gc.collect()
        gc.freeze()

    def after_load(self) -> None:
        """A file changed the data: rebuild and freeze now, in the loading request, not in the next check."""
        try:
            self.warm()
        except Exception:  # the file is loaded; a check will rebuild what this could not
            log.exception("could not warm the store after a load")
        from graph.supervision.alerts import derive_quietly  # alerts for the watched subjects the file concerns
        derive_quietly(self.store(), self.settings.home, self.settings)
        if self.courier is not None:  # the alerts' deliveries are in the outbox: sent off this request's time
            self.courier.wake()

    def store(self) -> GraphStore:
        if self._store is None:
            with self._open_lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        if self.courier is not None:
            self.courier.stop()
            self.courier = None
        gc.unfreeze()
        for thing in (self._store, self.recorder, self.audit, self.accounts):
            if thing is not None:
                thing.close()
        self._store = None
