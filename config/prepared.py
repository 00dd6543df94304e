"""Querysets compiled once: for the lookups every request of a hot endpoint makes.

Building and compiling a queryset costs the ORM far more than running its SQL when the SQL is an
index lookup of one row: for the bearer-token lookup of every API request, about as much as the
rest of a small request (PERFORMANCE.md W1, W2). `PreparedQuery` compiles its queryset once per
process and database, with stand-in values, and then runs the same SQL with each call's values,
building the same instances the queryset would (the ORM's converters on each column,
`select_related` rows cached on their parent), or, for a `.values()` queryset, the same dicts.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections


class PreparedQuery:
    """`build(**stand_ins)` is the queryset; each stand-in must reach the compiled parameters
    unchanged and be told apart from the others and from any constant (distinct UUIDs,
    datetimes or strings). `select_related` may follow forward relations one level deep."""

    def __init__(self, build, **stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self.statements = {}

    def prepare(self, using):
        compiler = self.build(**self.stand_ins).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for value in params:
            names = [
                name
                for name, stand_in in self.stand_ins.items()
                if type(value) is type(stand_in) and value == stand_in
            ]
            slots.append((True, names[0]) if len(names) == 1 else (False, value))
        if {name for is_slot, name in slots if is_slot} != set(self.stand_ins):
            raise ImproperlyConfigured(f"Not every stand-in reached the parameters: {params}")
        columns = [column for column, _, _ in compiler.select]
        converters = compiler.get_converters(columns)
        klass_info = compiler.klass_info
        query = compiler.query
        if query.values_select:  # a `.values(*fields)` queryset: its rows are dicts
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            statement = (sql, slots, converters, names, None)
            self.statements[using] = statement
            return statement

        def shape(info):
            fields = info["select_fields"]
            return (
                info["model"],
                fields,
                [columns[index].target.attname for index in fields],
                fields.index(next(i for i in fields if columns[i].target.primary_key)),
            )

        related = [
            (shape(info), info["local_setter"], info["remote_setter"])
            for info in klass_info.get("related_klass_infos", ())
        ]
        for info in klass_info.get("related_klass_infos", ()):
            if info.get("related_klass_infos") or info.get("reverse"):
                raise ImproperlyConfigured("Only forward relations one level deep.")
        statement = (sql, slots, converters, shape(klass_info), related)
        self.statements[using] = statement
        return statement

    def fetch(self, using, values):
        """`(statement, rows)`: the compiled statement and its rows for these values, each a
        list with the ORM's converters applied."""
        connection = connections[using]
        statement = self.statements.get(using) or self.prepare(using)
        sql, slots, converters = statement[:3]
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[item] if is_slot else item for is_slot, item in slots])
            rows = cursor.fetchall()
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, (functions, expression) in converters.items():
                    for function in functions:
                        row[index] = function(row[index], expression, connection)
        return statement, rows

    def rows(self, using="default", **values):
        """A `.values()` queryset's rows, as dicts, for these values."""
        (_, _, _, names, _), rows = self.fetch(using, values)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def instances(self, using="default", **values):
        """The queryset's model instances for these values."""
        (_, _, _, (model, fields, names, _), related), rows = self.fetch(using, values)
        found = []
        for row in rows:
            instance = model.from_db(using, names, [row[index] for index in fields])
            for (rel_model, rel_fields, rel_names, pk_at), local_setter, remote_setter in related:
                values_of = [row[index] for index in rel_fields]
                rel = None
                if values_of[pk_at] is not None:
                    rel = rel_model.from_db(using, rel_names, values_of)
                local_setter(instance, rel)
                if rel is not None:
                    remote_setter(rel, instance)
            found.append(instance)
        return found

    def get(self, using="default", **values):
        """The one instance, else None (more than one raises as `.get()` does)."""
        found = self.instances(using, **values)
        if len(found) > 1:
            raise found[0].MultipleObjectsReturned
        return found[0] if found else None
