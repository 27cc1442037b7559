"""How the Neo4j driver's errors become creditnet's: the server cannot be used now, a transaction outgrew its
memory, or two loads created the same node at once; and closing what a lost connection left behind."""
from __future__ import annotations

from contextlib import contextmanager

from graph.errors import CreditnetError, StoreBusy, StoreUnavailable, TransactionTooLarge

# A transaction that outgrew db.memory.transaction.max or dbms.memory.transaction.total.max.
OUT_OF_TRANSACTION_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def translate(exc: Exception, during: str = "") -> CreditnetError:
    """The driver's exception as creditnet's: the server cannot be used now (unreachable, connection lost,
    transient trouble), or a transaction outgrew its memory. `during="load"` says what became of the file being
    loaded."""
    from neo4j.exceptions import IncompleteCommit, TransientError
    if getattr(exc, "code", None) == OUT_OF_TRANSACTION_MEMORY:
        # Neo4j calls it transient, but the same file fails the same way however often it is sent again.
        fate = ("本文件未导入任何数据（事务已回滚）。请调低 CREDITNET_NEO4J_ROWS_PER_TRANSACTION（一个事务写入的最多行数，"
                "行数更多的文件分批提交；登记表每行约需 17 KB，许可每行约 14 KB）后重新导入，或把文件拆成几个较小的文件，"
                "或调大 Neo4j 的堆内存（scripts/neo4j-local 的 NEO4J_HEAP；事务最多可用堆的 70%，见 dbms.memory.transaction.total.max 与 "
                "db.memory.transaction.max）。(the file's transaction needs more memory than the Neo4j server allows; nothing "
                "was loaded: lower CREDITNET_NEO4J_ROWS_PER_TRANSACTION, which commits a larger file in parts, split "
                "the file, or give the server more heap)" if during == "load" else
                "请调大 Neo4j 的堆内存或事务内存上限。(a transaction needed more memory than the Neo4j server allows)")
        return TransactionTooLarge(f"Neo4j 事务内存不足（{getattr(exc, 'message', exc)}）。{fate}")
    if isinstance(exc, TransientError):
        return StoreBusy(f"Neo4j 暂时无法处理请求（{exc.__class__.__name__}: {exc}），请稍后重试 "
                         f"(a transient Neo4j error; retry shortly)")
    fate = ""
    if during == "load":
        fate = ("与 Neo4j 的连接在提交时中断，无法确定本文件是否已导入；重复导入不会产生重复数据，请在 Neo4j 恢复后重新导入本文件。"
                if isinstance(exc, IncompleteCommit) else "本文件未导入任何数据（事务已回滚）；Neo4j 恢复后请重新导入本文件。")
    return StoreUnavailable(f"无法连接 Neo4j：{exc.__class__.__name__}: {exc}。{fate}请确认 Neo4j 正在运行且网络可达，"
                            f"检查 CREDITNET_NEO4J_URI 与账号密码，或用 scripts/neo4j-local start 启动本地服务 "
                            f"(Neo4j is unreachable{'; re-run the load once it is back' if fate else ''})")


def unavailable(exc: BaseException | None) -> bool:
    """Driver errors that mean "the server cannot be used now" (or not with these credentials), as opposed to a
    mistake in a query, which must surface as itself."""
    from neo4j.exceptions import AuthError, ConfigurationError, DriverError, ResultError, TransientError
    return isinstance(exc, (OSError, TransientError, AuthError)) or (
        isinstance(exc, DriverError) and not isinstance(exc, (ConfigurationError, ResultError)))


def retryable(exc: BaseException | None) -> bool:
    """Worth asking again: the connection broke (the pool opens a new one) or the server said "transient"."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
    return isinstance(exc, (ServiceUnavailable, SessionExpired, TransientError, OSError))


@contextmanager
def translated(during: str = ""):
    try:
        yield
    except Exception as exc:
        if unavailable(exc):
            raise translate(exc, during) from exc
        raise


# A load CREATEs the enterprises and records it knows to be new (faster than MERGE). Two loads running at once
# that both create the same one: the second waits on the first's uniqueness entry, and once the first commits
# the second fails with this code. Loading that file again matches what the first wrote.
CONCURRENT_CREATE = "Neo.ClientError.Schema.ConstraintValidationFailed"


def quietly(close) -> None:
    """Closing what a lost connection left behind: the server rolls an orphaned transaction back by itself."""
    try:
        close()
    except Exception:
        pass
