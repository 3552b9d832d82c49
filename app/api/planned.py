"""PlannedRoute: FastAPI routes whose parameters are checked by one compiled validator instead of FastAPI's
per-request dependency solving.

FastAPI documents a route from its signature (OpenAPI), and on every request `solve_dependencies` walks the
dependency tree again: for each of a list page's dozen query parameters it inspects the annotation (is it a
sequence? a model?), looks the value up and validates it with its own TypeAdapter. That was about a third of a
page's CPU. A PlannedRoute keeps the signature, so FastAPI still builds the dependant and the OpenAPI document
from it exactly as before, but when the route is built it compiles a plan from that dependant once:

- every query and path parameter of the endpoint and of its dependencies, as one pydantic TypedDict validator
  (pydantic-core, built once from the same annotation and constraints FastAPI's own field would validate with,
  so values, defaults and error messages are the same);
- the dependency calls in the order FastAPI makes them, each with its arguments named in advance.

A request then costs one `validate_python` of the present parameters and the dependency calls. Errors are
raised as RequestValidationError with FastAPI's locations (`("query", "limit")`), so the 422 problem document
(app/errors.py) is unchanged. Routes the plan cannot express (a body, headers or cookies as parameters,
security schemes, `yield` or sync dependencies) and apps with dependency overrides are served by FastAPI's
own handler, as is every request when `app.state.planned_routes` is False (tests compare the two).

Endpoints of a PlannedRoute must return a Response (app/api/json_response.py builds them): FastAPI's
response-model serialisation is not part of the plan.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from typing_extensions import NotRequired, TypedDict   # pydantic needs this TypedDict before Python 3.12

from fastapi import Request, Response
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

# where an argument comes from, as a key of the values a request is answered with: besides these two, a
# parameter's key (_Param.key) or a dependency's result (_Call.result)
REQUEST, RESPONSE = "request", "response"


@dataclass(frozen=True, slots=True)
class _Param:
    key: str              # key in the validator's TypedDict (unique over locations)
    where: str            # "query" | "path"
    alias: str            # the name in the URL
    sequence: bool        # a list parameter: every value of a repeated query parameter
    required: bool
    default: Any


@dataclass(frozen=True, slots=True)
class _Call:
    call: Callable
    is_async: bool
    arguments: tuple[tuple[str, str], ...]   # (keyword, key of its value)
    result: str                              # key of what it returns


class Unplannable(Exception):
    """The dependant uses something the plan does not do; FastAPI's own handler serves the route."""


class _Plan:
    def __init__(self, dependant: Dependant) -> None:
        self.params: list[_Param] = []
        self.fields: dict[str, Any] = {}
        self.calls: list[_Call] = []          # dependencies first, in solving order; the endpoint last
        self._by_call: dict[object, _Call] = {}
        self.endpoint = self._call(dependant, endpoint=True)
        self.validator = TypeAdapter(TypedDict("PlannedParams", self.fields)) if self.fields else None
        self.query = [p for p in self.params if p.where == "query"]
        self.needs_response = any(key == RESPONSE for c in self.calls for _, key in c.arguments)
        self.query_by_alias: dict[str, list[_Param]] = {}
        for p in self.query:
            self.query_by_alias.setdefault(p.alias, []).append(p)
        self.path = [p for p in self.params if p.where == "path"]

    def _call(self, dependant: Dependant, endpoint: bool = False) -> _Call:
        if (dependant.header_params or dependant.cookie_params or dependant.body_params
                or dependant.websocket_param_name or dependant.http_connection_param_name
                or dependant.background_tasks_param_name or dependant.security_scopes_param_name
                or dependant.own_oauth_scopes):
            raise Unplannable("headers, cookies, body, security or background tasks")
        call = dependant.call
        if call is None or inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call):
            raise Unplannable("a yield dependency")
        if dependant.use_cache and call in self._by_call:
            return self._by_call[call]   # FastAPI calls a dependency once per request, whoever asks for it
        arguments: list[tuple[str, str]] = []
        for sub in dependant.dependencies:
            planned = self._call(sub)
            if sub.name is not None:
                arguments.append((sub.name, planned.result))
        for where, fields in (("path", dependant.path_params), ("query", dependant.query_params)):
            for field in fields:
                arguments.append((field.name, self._param(where, field)))
        if dependant.request_param_name:
            arguments.append((dependant.request_param_name, REQUEST))
        if dependant.response_param_name:
            arguments.append((dependant.response_param_name, RESPONSE))
        is_async = inspect.iscoroutinefunction(call)
        if not is_async and not endpoint:
            raise Unplannable("a sync dependency")   # the endpoint may be sync (thread pool), dependencies not
        planned = _Call(call, is_async, tuple(arguments), f"c{len(self.calls)}")
        self.calls.append(planned)
        if dependant.use_cache:
            self._by_call[call] = planned
        return planned

    def _param(self, where: str, field) -> str:
        info = field.field_info
        annotation = info.annotation
        if getattr(annotation, "__pydantic_fields__", None) is not None or info.validation_alias is not None:
            raise Unplannable("a parameter model or a validation alias")
        key = f"p{len(self.params)}"
        checked = Annotated[(annotation, *info.metadata)] if info.metadata else annotation   # type: ignore
        self.fields[key] = NotRequired[checked]
        required = info.is_required()
        self.params.append(_Param(key, where, field.alias, _is_sequence(annotation), required,
                                  None if required else info.get_default(call_default_factory=True)))
        return key

    # ---------- per request ----------

    def values(self, request: Request) -> dict[str, Any]:
        """The validated parameters by key (defaults for those not given), or RequestValidationError."""
        raw: dict[str, Any] = {}
        errors: list[dict] = []
        if self.query:
            # one pass over the pairs, as FastAPI reads them: a list gets every value, anything else the last
            by_alias = self.query_by_alias
            for name, value in request.query_params.multi_items():
                for p in by_alias.get(name, ()):   # usually one; a dependency may ask for the same name
                    if p.sequence:
                        raw.setdefault(p.key, []).append(value)
                    else:
                        raw[p.key] = value
        if self.path:
            path = request.path_params
            for p in self.path:
                if p.alias in path:
                    raw[p.key] = path[p.alias]
        for p in self.params:
            if p.key not in raw and p.required:
                errors.append({"type": "missing", "loc": (p.where, p.alias), "msg": "Field required", "input": None})
        values = raw
        if raw:
            try:
                values = self.validator.validate_python(raw)
            except ValidationError as exc:
                by_key = {p.key: p for p in self.params}
                for error in exc.errors(include_url=False):
                    p = by_key[error["loc"][0]]
                    errors.append({**error, "loc": (p.where, p.alias, *error["loc"][1:])})
        if errors:
            order = {(p.where, p.alias): i for i, p in enumerate(self.params)}   # FastAPI's order: as solved
            errors.sort(key=lambda e: order.get(tuple(e["loc"][:2]), len(order)))
            raise RequestValidationError(errors)
        for p in self.params:
            if p.key not in values:
                values[p.key] = p.default   # not validated, as FastAPI does not validate defaults
        return values

    async def run(self, request: Request) -> Response:
        values = self.values(request)
        values[REQUEST] = request
        if self.needs_response:
            response = values[RESPONSE] = Response()   # as FastAPI's: headers for the endpoint to copy (Link, Vary)
            del response.headers["content-length"]
        for planned in self.calls:
            kwargs = {name: values[key] for name, key in planned.arguments}
            if planned.is_async:
                values[planned.result] = await planned.call(**kwargs)
            else:
                values[planned.result] = await run_in_threadpool(planned.call, **kwargs)
        result = values[self.endpoint.result]
        if not isinstance(result, Response):
            raise TypeError(f"{self.endpoint.call.__name__} must return a Response on a PlannedRoute "
                            "(app/api/json_response.py)")
        return result


def _is_sequence(annotation) -> bool:
    from fastapi._compat import field_annotation_is_sequence   # the test FastAPI itself applies

    return field_annotation_is_sequence(annotation)


PLAN_ATTRIBUTE = "whosaid_plan"   # on the route, or on FastAPI's context of one inclusion of it


def plan_for(route: object) -> _Plan | None:
    """The plan of one of the application's routes (a PlannedRoute, or FastAPI's context of one of its
    inclusions), or None."""
    return getattr(route, PLAN_ATTRIBUTE, None)


class PlannedRoute(APIRoute):
    """An APIRoute answered through a _Plan (see the module docstring); use as `APIRouter(route_class=...)`."""

    def get_route_handler(self) -> Callable:
        standard = super().get_route_handler()
        # FastAPI >= 0.160 builds one handler per inclusion of the route (the including routers' dependencies
        # added) with the inclusion's context in this variable; older versions copy the route instead
        context_var = getattr(fastapi_routing, "_effective_route_context_var", None)
        context = context_var.get() if context_var is not None else None
        route = context if context is not None and getattr(context, "original_route", None) is self else self
        overrides = getattr(route.dependency_overrides_provider, "dependency_overrides", None)
        try:
            plan = _Plan(route.dependant)
        except Unplannable:
            return standard
        try:
            setattr(route, PLAN_ATTRIBUTE, plan)   # for app/api/direct.py, which finds routes, not handlers
        except AttributeError:
            pass   # a context without a __dict__: FastAPI's stack answers its requests

        async def handler(request: Request) -> Response:
            if overrides or not getattr(request.app.state, "planned_routes", True):
                return await standard(request)
            return await plan.run(request)

        return handler
