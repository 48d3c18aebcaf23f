"""Querysets compiled to SQL once per process, then run again with new values.

Django builds and compiles a queryset's SQL anew on every call: on the 2-core machines we
target that costs 1-2 ms of CPU per query, five to ten times what SQLite or PostgreSQL take to
answer it. The submission endpoint, the status poll and the grading task run the same handful
of queries thousands of times in a deadline rush, so they are prepared instead:

    _ASSIGNMENT = PreparedQuery(
        lambda user_id, exercise_id: Assignment.objects.filter(
            course__enrolments__user_id=user_id, exercise_id=exercise_id
        ).select_related("course").order_by("due_at")[:1],
        user_id=int,
        exercise_id=int,
    )
    assignment = _ASSIGNMENT.first(user_id=7, exercise_id=3)

The queryset stays the single definition of the rule (the same Q objects as everywhere else).
On first use it is built with sentinel values and compiled by the database's own backend; the
sentinels' positions among the SQL parameters are recorded, and so is what Django's model
iterator needs to turn a row into objects (the columns of each model, the converters that give
aware datetimes, booleans and JSON, the select_related populators). Later calls only put the
real values in those positions, run the SQL, and build the objects the way Django does.

Only for arguments compared as they are (integers and strings): a value Django transforms
before it reaches the parameters (a datetime on SQLite, "%text%" for `contains`) would not be
found, and the compilation refuses it rather than guess. It reads Django's compiler state
(`select`, `klass_info`), which the pinned Django version fixes: tests/platform/config/
test_prepared.py compares prepared queries with the ORM's answers, on SQLite and PostgreSQL,
and the apps' own tests go through every prepared query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import ModelIterable, QuerySet, get_related_populators

M = TypeVar("M", bound=models.Model)

# Far from any real id or text, so a constant of the query can never be mistaken for one.
_INT_SENTINEL_BASE = 7_340_000_000_000_000_000
_STR_SENTINEL = "\x1fprepared:{name}\x1f"
# The widest integer column of SQLite and PostgreSQL (bigint): 64-bit signed.
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class PreparedQueryError(RuntimeError):
    """The queryset cannot be prepared (see the module's docstring): a programming error."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    constants: list[Any]
    slots: dict[int, str]  # parameter position -> argument name
    converters: list[tuple[int, list[Callable[..., Any]], Any]]
    # For model querysets (None for values()/values_list()): as in Django's ModelIterable.
    model: type[models.Model] | None
    model_columns: slice
    init_list: list[str]
    related: list[Any]
    annotations: dict[str, int]


class PreparedQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M]], **arguments: type) -> None:
        for name, kind in arguments.items():
            if kind not in (int, str):
                raise PreparedQueryError(f"{name}: only int and str arguments can be prepared")
        self._build = build
        self._arguments = arguments
        self._compiled: dict[str, _Compiled] = {}  # per database alias
        self._lock = threading.Lock()

    def all(self, *, using: str = "default", **values: Any) -> list[M]:
        """The rows as model instances, like iterating over the queryset."""
        compiled = self._prepared(using)
        if compiled.model is None:
            raise PreparedQueryError("a values() queryset: use rows()")
        return [self._instance(compiled, row, using) for row in self._rows(compiled, using, values)]

    def first(self, *, using: str = "default", **values: Any) -> M | None:
        """The first row, or None. The queryset should end in [:1] so the database stops there."""
        rows = self.all(using=using, **values)
        return rows[0] if rows else None

    def rows(self, *, using: str = "default", **values: Any) -> Sequence[Sequence[Any]]:
        """The rows of a values_list() queryset, converted as the ORM would."""
        return self._rows(self._prepared(using), using, values)

    # -- compiling, once per process and database ----------------------------------------------
    def _prepared(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def _compile(self, using: str) -> _Compiled:
        sentinels = {
            name: (_INT_SENTINEL_BASE + index if kind is int else _STR_SENTINEL.format(name=name))
            for index, (name, kind) in enumerate(self._arguments.items())
        }
        queryset = self._build(**sentinels).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
        by_value = {value: name for name, value in sentinels.items()}
        slots = {i: by_value[p] for i, p in enumerate(params) if _hashable(p) and p in by_value}
        missing = set(sentinels) - set(slots.values())
        inlined = {name for name, value in sentinels.items() if str(value) in sql}
        if missing or inlined:
            raise PreparedQueryError(
                f"arguments {sorted(missing | inlined)} do not reach the SQL parameters "
                "unchanged: prepare only equality filters on integers and strings"
            )
        expressions = [column[0] for column in compiler.select[: compiler.col_count]]
        # The converters come bound to this thread's connection; they only read its settings
        # (time zone), so any thread may apply them.
        converters = [
            (position, list(functions), expression)
            for position, (functions, expression) in compiler.get_converters(expressions).items()
        ]
        klass_info = compiler.klass_info
        if queryset._iterable_class is not ModelIterable or not klass_info:
            return _Compiled(sql, list(params), slots, converters, None, slice(0), [], [], {})
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        return _Compiled(
            sql,
            list(params),
            slots,
            converters,
            klass_info["model"],
            columns,
            [column[0].target.attname for column in compiler.select[columns]],
            get_related_populators(klass_info, compiler.select, using),
            dict(compiler.annotation_col_map or {}),
        )

    # -- running ---------------------------------------------------------------------------------
    def _rows(self, compiled: _Compiled, using: str, values: dict[str, Any]) -> list[list[Any]]:
        if values.keys() != self._arguments.keys():
            raise TypeError(f"expected the arguments {sorted(self._arguments)}")
        params = list(compiled.constants)
        for position, name in compiled.slots.items():
            value = self._arguments[name](values[name])
            if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
                # No integer column holds it, so the equality matches nothing: the ORM's own
                # answer (an empty result), where the driver would raise OverflowError (a 500
                # for GET /api/v1/submissions/99999999999999999999999).
                return []
            params[position] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for position, functions, expression in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        return rows

    @staticmethod
    def _instance(compiled: _Compiled, row: list[Any], using: str) -> Any:
        assert compiled.model is not None
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.model_columns])
        for populator in compiled.related:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class PreparedUpdate:
    """UPDATE one model's table with the SQL written once, for the grading task's two writes.

        _CLAIM = PreparedUpdate(
            Submission, assign=("status", "claim_token"), increment=("claim_count",),
            where=("id", "status"),
        )
        claimed = _CLAIM.run(
            values={"status": "running", ...}, increment={"claim_count": 1}, where={"id": 7, ...}
        ) == 1

    `assign` fields take a value each, `increment` fields are added to in the database (like
    F("claim_count") + n, so concurrent updates never lose a count), and `where` is an equality
    on each field: the conditional UPDATE the services' state changes are made of. Values are
    converted by each field's own get_db_prep_save / get_db_prep_value, as the ORM does.
    Returns the number of rows updated.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        assign: tuple[str, ...],
        where: tuple[str, ...],
        increment: tuple[str, ...] = (),
    ) -> None:
        meta = model._meta
        self._model = model
        self._assign = [meta.get_field(name) for name in assign]
        self._increment = [meta.get_field(name) for name in increment]
        self._where = [meta.get_field(name) for name in where]
        self._sql: dict[str, str] = {}

    def _statement(self, using: str) -> str:
        sql = self._sql.get(using)
        if sql is None:
            quote = connections[using].ops.quote_name
            assignments = [f"{quote(f.column)} = %s" for f in self._assign] + [
                f"{quote(f.column)} = {quote(f.column)} + %s" for f in self._increment
            ]
            conditions = [f"{quote(f.column)} = %s" for f in self._where]
            sql = (
                f"UPDATE {quote(self._model._meta.db_table)} SET {', '.join(assignments)} "
                f"WHERE {' AND '.join(conditions)}"
            )
            self._sql[using] = sql
        return sql

    def run(
        self,
        *,
        values: dict[str, Any],
        where: dict[str, Any],
        increment: dict[str, int] | None = None,
        using: str = "default",
    ) -> int:
        increment = increment or {}
        if (
            values.keys() != {f.name for f in self._assign}
            or where.keys() != {f.name for f in self._where}
            or increment.keys() != {f.name for f in self._increment}
        ):
            raise TypeError("values, where and increment must name exactly the prepared fields")
        connection = connections[using]
        params = [f.get_db_prep_save(values[f.name], connection) for f in self._assign]
        params += [int(increment[f.name]) for f in self._increment]
        params += [f.get_db_prep_value(where[f.name], connection) for f in self._where]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(using), params)
            return cursor.rowcount
