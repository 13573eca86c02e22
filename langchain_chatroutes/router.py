"""``AutoBranchRouter``: route one request to a runnable, or fan several intents out, by AutoBranch.

AutoBranch finds the places where a request holds several intents or alternatives. The router cuts the
request into those parts, sends each part to the route whose name and description fit it best, and:

- one route chosen: runs it on the input unchanged and returns (or streams) its output as is;
- several: runs them concurrently, each on ``{"input": <its part>, "original": <full text>, "suggestion":
  <the suggestion>}``, and returns ``{route name: output}``. When the input names a ChatRoutes
  conversation, each route gets its own branch forked from the current tip, bound through
  ``config["configurable"]["chatroutes_conversation_id"/"chatroutes_branch_id"]`` so a ``ChatChatRoutes``
  inside writes there.

Tracing: one run for the router, child runs tagged ``route:<name>``, the suggestions emitted as the custom
event ``autobranch_suggestions`` and recorded in the run's metadata (``autobranch_suggestions``,
``autobranch_routes``).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from functools import partial
from typing import Any, Literal

from langchain_core.callbacks.manager import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langchain_core.language_models import BaseLanguageModel
from langchain_core.runnables import Runnable, RunnableConfig, RunnableSerializable
from langchain_core.runnables.base import coerce_to_runnable
from langchain_core.runnables.config import ensure_config, get_executor_for_config, patch_config
from langchain_core.runnables.utils import (
    ConfigurableFieldSpec,
    gather_with_concurrency,
    get_unique_config_specs,
)
from pydantic import ConfigDict, Field, SecretStr

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core import integration as core
from chatroutes_core.errors import UsageError
from chatroutes_core.flows import Flow, arun, call, run
from chatroutes_core.integration import ClientSettings, RoutePlan, RouteSuggestion, normalize_suggestion
from langchain_chatroutes._convert import BRANCH_KEY, CONVERSATION_KEY
from langchain_chatroutes._router_detect import Detection, arun_model, is_model, run_local, run_model
from langchain_chatroutes._router_input import (
    NoRouteError,
    RouteError,
    RouterRequest,
    check_options,
    normalize_routes,
    parse_router_input,
    raised_as_route_error,
    short,
)

__all__ = ["AutoBranchRouter", "NoRouteError", "RouteError", "RouterRequest", "parse_router_input"]

SUGGESTIONS_EVENT = "autobranch_suggestions"
DEFAULT_ROUTE = "default"

Detector = Literal["api", "local"] | Callable[[str], Any] | BaseLanguageModel[Any]
_Binding = tuple[str | None, str | None]
_Prepared = tuple["RouterRequest", list[RouteSuggestion], RoutePlan, RunnableConfig]


class AutoBranchRouter(RunnableSerializable[Any, Any]):
    """Routes a request to one runnable, or fans its intents out to several, using AutoBranch.

    Args:
        routes: Route name -> runnable (or callable), or -> ``(runnable, description)``. The name and
            description are what a request's parts are matched against.
        default: A route name, or a runnable (then named ``"default"``), for parts that match no route.
            ``None``: a request that matches nothing raises :class:`NoRouteError`.
        detector: ``"api"`` (``client.autobranch.suggest_branches``), ``"local"`` (the offline detector in
            ``chatroutes_core.autobranch``, no network), or a callable ``text -> suggestions`` (sync, or
            async under ``ainvoke``/``astream``) returning local ``Suggestion``s, API ``BranchSuggestion``s
            or wire-shaped dicts, or any LangChain chat model (one model call per request, structured
            output, spans checked, the offline patterns as the fallback; see ``_router_detect``).
        client: Sync ``ChatRoutesClient`` for the API detector and branch forks (default: the shared one
            for ``api_key``, ``base_url``, ``timeout`` and ``max_retries``).
        async_client: Async twin (default: the shared one of the running event loop for those fields).
        api_key / base_url / timeout / max_retries: the clients not given (defaults: ``CHATROUTES_API_KEY``,
            ``CHATROUTES_BASE_URL``, the client's timeout and retries).
        threshold: Suggestions below this confidence are ignored.
        max_routes: The most routes run for one request.
        classifier: ``classifier(part, {name: description}) -> name | None`` replaces the scoring.
        min_score: The lowest match score (see ``chatroutes_core.integration.score_route``) that counts.
        return_exceptions: In a fan-out, a failing route's value is its exception instead of failing all.

    Example:
        >>> from langchain_core.runnables import RunnableLambda
        >>> part = RunnableLambda(lambda request: request["input"])  # a route gets its part of the text
        >>> router = AutoBranchRouter({"billing": (part, "invoices, refunds, payments"),
        ...     "tech": (part, "technical questions about the API and SDK")}, detector="local")
        >>> router.invoke("I need help with billing and also have a technical question about the API")
        {'billing': 'I need help with billing', 'tech': 'have a technical question about the API'}
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    routes: dict[str, Runnable[Any, Any]]
    descriptions: dict[str, str]
    default: str | None = None
    detector: Any = "api"
    client: Any = None
    async_client: Any = None
    api_key: SecretStr | None = Field(default=None, repr=False, exclude=True)
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    threshold: float = 0.7
    max_routes: int = 3
    classifier: Any = None
    min_score: float = 0.1
    return_exceptions: bool = False

    def __init__(
        self,
        routes: Mapping[str, Any],
        *,
        default: str | Any | None = None,
        detector: Detector = "api",
        client: Any = None,
        async_client: Any = None,
        threshold: float = 0.7,
        max_routes: int = 3,
        classifier: core.Classifier | None = None,
        min_score: float = 0.1,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> None:
        runnables, descriptions = normalize_routes(routes)
        default_name: str | None = None
        if isinstance(default, str):
            if default not in runnables:
                raise UsageError(f"default route {default!r} is not one of the routes {sorted(runnables)}")
            default_name = default
        elif default is not None:
            if DEFAULT_ROUTE in runnables:
                raise UsageError(f"a default runnable needs the route name {DEFAULT_ROUTE!r} to be free")
            runnables[DEFAULT_ROUTE] = coerce_to_runnable(default)
            default_name = DEFAULT_ROUTE
        check_options(detector, threshold, max_routes, classifier, detector_is_model=is_model(detector))
        super().__init__(
            routes=runnables, descriptions=descriptions, default=default_name, detector=detector,
            client=client, async_client=async_client, threshold=float(threshold), max_routes=max_routes,
            classifier=classifier, min_score=min_score, return_exceptions=return_exceptions, **kwargs,
        )  # fmt: skip

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return False

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        return get_unique_config_specs(spec for step in self.routes.values() for spec in step.config_specs)

    # --- planning ----------------------------------------------------------------------------------

    def _plan(self, request: RouterRequest, suggestions: list[RouteSuggestion]) -> RoutePlan:
        parts = core.parts_of(request.text, suggestions, self.threshold)
        plan = core.plan_routes(
            parts, self.descriptions, classifier=self.classifier, default=self.default,
            min_score=self.min_score, max_routes=self.max_routes,
        )  # fmt: skip
        if not plan.routes:
            raise NoRouteError(
                f"no route matches {short(request.text)!r} (routes: {sorted(self.descriptions)}); "
                "give the router a default route, or describe the routes better"
            )
        return plan

    def _suggestions_count(self) -> int:
        # A multi-intent message gives one suggestion per intent: ask for enough to keep every part
        # (10 is the hosted API's documented maximum).
        return max(10, self.max_routes)

    def _detect_flow(self, text: str) -> Flow[list[RouteSuggestion]]:
        count = self._suggestions_count()
        suggest = call(lambda c: c.autobranch.suggest_branches, text=text, threshold=self.threshold,
                       suggestions_count=count)  # fmt: skip
        response = yield from suggest
        return [normalize_suggestion(s) for s in response.suggestions]

    def _detect(self, text: str, config: RunnableConfig) -> Detection:
        count = self._suggestions_count()
        if is_model(self.detector):
            return run_model(self.detector, text, config, self.threshold, count)
        if self.detector == "local":
            return run_local(text, self.threshold, count)
        if self.detector == "api":
            return run(self._detect_flow(text), self._sync_client()), "api"
        found = self.detector(text)
        if inspect.isawaitable(found):
            if inspect.iscoroutine(found):
                found.close()
            raise TypeError("the detector is async: call the router with ainvoke / astream")
        return [normalize_suggestion(s) for s in found], "callable"

    async def _adetect(self, text: str, config: RunnableConfig) -> Detection:
        if is_model(self.detector):
            return await arun_model(self.detector, text, config, self.threshold, self._suggestions_count())
        if self.detector == "local":
            return self._detect(text, config)
        if self.detector == "api":
            return await arun(self._detect_flow(text), self._async_client()), "api"
        found = self.detector(text)
        if inspect.isawaitable(found):
            found = await found
        return [normalize_suggestion(s) for s in found], "callable"

    def _settings(self) -> ClientSettings:
        key: Any = self.api_key  # a plain str too after an assignment (fields are not validated on it)
        return ClientSettings(key, self.base_url, self.timeout, self.max_retries,
                              client=self.client, async_client=self.async_client)  # fmt: skip

    def _sync_client(self) -> ChatRoutesClient:
        """The caller's client, else the process-wide shared one for the fields (never closed here)."""
        return self._settings().sync()

    def _async_client(self) -> AsyncChatRoutesClient:
        """The caller's async client, else the shared one of the running event loop for the fields."""
        return self._settings().async_()

    def _run_config(
        self, config: RunnableConfig, suggestions: list[RouteSuggestion], plan: RoutePlan, decided_by: str
    ) -> RunnableConfig:
        metadata = {
            **(config.get("metadata") or {}),
            "autobranch_suggestions": [s.to_dict() for s in suggestions],
            "autobranch_routes": list(plan.routes),
            "autobranch_detector": decided_by,
        }
        return {**config, "metadata": metadata}

    @staticmethod
    def _event(suggestions: list[RouteSuggestion], plan: RoutePlan) -> dict[str, Any]:
        return {
            "suggestions": [s.to_dict() for s in suggestions],
            "routes": {name: plan.text_for(name) for name in plan.routes},
            "scores": dict(plan.scores),
        }

    def _single(
        self, request: RouterRequest, plan: RoutePlan, run_manager: Any, config: RunnableConfig
    ) -> tuple[str, Runnable[Any, Any], RunnableConfig]:
        """The one route of a single-route plan, and its child config (on the caller's branch)."""
        [name] = plan.routes
        return name, self.routes[name], self._child_config(config, run_manager, name, request.binding)

    def _child_config(
        self, config: RunnableConfig, run_manager: Any, name: str, binding: _Binding
    ) -> RunnableConfig:
        conversation_id, branch_id = binding
        configurable = {CONVERSATION_KEY: conversation_id, BRANCH_KEY: branch_id} if conversation_id else None
        return patch_config(
            config, callbacks=run_manager.get_child(f"route:{name}"), configurable=configurable
        )

    def _payload(self, request: RouterRequest, plan: RoutePlan, name: str) -> dict[str, Any]:
        first: core.RoutePart = plan.routes[name][0]
        return {
            "input": plan.text_for(name),
            "original": request.text,
            "suggestion": first.suggestion.to_dict() if first.suggestion else None,
        }

    def _branch_title(self, plan: RoutePlan, name: str) -> str:
        return f"route:{name} · {short(plan.text_for(name), 60)}"

    def _fork_flow(self, request: RouterRequest, plan: RoutePlan) -> Flow[dict[str, _Binding]]:
        """One branch per route, all forked at the caller's tip (one step of concurrent forks)."""
        conv = request.conversation_id
        if not conv:
            return dict.fromkeys(plan.routes, (None, None))
        tip = request.anchor_message_id
        if tip is None:
            history = yield from (
                call(lambda c: c.branches.get_history, conv, request.branch_id) if request.branch_id
                else call(lambda c: c.messages.list, conv)
            )  # fmt: skip
            tip = history[-1].id if history else None
        calls = [
            call(lambda c: c.branches.fork, conv, fork_point_message_id=tip, title=title)
            if tip else call(lambda c: c.branches.create, conv, title=title)
            for title in (self._branch_title(plan, name) for name in plan.routes)
        ]  # fmt: skip
        branches = yield calls
        return {name: (conv, branch.id) for name, branch in zip(plan.routes, branches, strict=True)}

    # --- sync ----------------------------------------------------------------------------------------

    def _parse(self, input: Any, config: RunnableConfig | None) -> tuple[RouterRequest, RunnableConfig]:
        config = ensure_config(config)
        return parse_router_input(input, config), config

    def _prepared(self, request: RouterRequest, detection: Detection, config: RunnableConfig) -> _Prepared:
        suggestions, decided_by = detection
        plan = self._plan(request, suggestions)
        return request, suggestions, plan, self._run_config(config, suggestions, plan, decided_by)

    def _prepare(self, input: Any, config: RunnableConfig | None) -> _Prepared:
        request, config = self._parse(input, config)
        return self._prepared(request, self._detect(request.text, config), config)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        request, suggestions, plan, run_config = self._prepare(input, config)
        run = partial(self._run, request=request, suggestions=suggestions, plan=plan)
        return self._call_with_config(run, input, run_config, **kwargs)

    def _run(
        self, _input: Any, run_manager: CallbackManagerForChainRun, config: RunnableConfig, *,
        request: RouterRequest, suggestions: list[RouteSuggestion], plan: RoutePlan,
    ) -> Any:  # fmt: skip
        dispatch_custom_event(SUGGESTIONS_EVENT, self._event(suggestions, plan), config=config)
        if len(plan.routes) == 1:
            name, route, child = self._single(request, plan, run_manager, config)
            with raised_as_route_error(name):
                return route.invoke(request.route_input, child)
        return self._fan_out(request, plan, run_manager, config)

    def _fan_out(
        self, request: RouterRequest, plan: RoutePlan, run_manager: Any, config: RunnableConfig
    ) -> dict[str, Any]:
        bindings = run(self._fork_flow(request, plan), self._sync_client())
        with get_executor_for_config(config) as executor:
            futures = {
                name: executor.submit(
                    self.routes[name].invoke,
                    self._payload(request, plan, name),
                    self._child_config(config, run_manager, name, bindings[name]),
                )
                for name in plan.routes
            }
            results: dict[str, Any] = {}
            for name, future in futures.items():
                try:
                    results[name] = future.result()
                except Exception as exc:
                    if not self.return_exceptions:
                        raise RouteError(name, exc) from exc
                    results[name] = exc
        return results

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        request, suggestions, plan, run_config = self._prepare(input, config)
        run = partial(self._transform, request=request, suggestions=suggestions, plan=plan)
        yield from self._transform_stream_with_config(iter([input]), run, run_config, **kwargs)

    def _transform(
        self, inputs: Iterator[Any], run_manager: CallbackManagerForChainRun, config: RunnableConfig, *,
        request: RouterRequest, suggestions: list[RouteSuggestion], plan: RoutePlan,
    ) -> Iterator[Any]:  # fmt: skip
        for _ in inputs:
            pass
        dispatch_custom_event(SUGGESTIONS_EVENT, self._event(suggestions, plan), config=config)
        if len(plan.routes) > 1:
            yield self._fan_out(request, plan, run_manager, config)
            return
        name, route, child = self._single(request, plan, run_manager, config)
        with raised_as_route_error(name):
            yield from route.stream(request.route_input, child)

    # --- async ---------------------------------------------------------------------------------------

    async def _aprepare(self, input: Any, config: RunnableConfig | None) -> _Prepared:
        request, config = self._parse(input, config)
        return self._prepared(request, await self._adetect(request.text, config), config)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        request, suggestions, plan, run_config = await self._aprepare(input, config)
        run = partial(self._arun, request=request, suggestions=suggestions, plan=plan)
        return await self._acall_with_config(run, input, run_config, **kwargs)

    async def _arun(
        self, _input: Any, run_manager: AsyncCallbackManagerForChainRun, config: RunnableConfig, *,
        request: RouterRequest, suggestions: list[RouteSuggestion], plan: RoutePlan,
    ) -> Any:  # fmt: skip
        await adispatch_custom_event(SUGGESTIONS_EVENT, self._event(suggestions, plan), config=config)
        if len(plan.routes) == 1:
            name, route, child = self._single(request, plan, run_manager, config)
            with raised_as_route_error(name):
                return await route.ainvoke(request.route_input, child)
        return await self._afan_out(request, plan, run_manager, config)

    async def _afan_out(
        self, request: RouterRequest, plan: RoutePlan, run_manager: Any, config: RunnableConfig
    ) -> dict[str, Any]:
        bindings = await arun(self._fork_flow(request, plan), self._async_client())

        async def one(name: str) -> Any:
            child = self._child_config(config, run_manager, name, bindings[name])
            try:
                return await self.routes[name].ainvoke(self._payload(request, plan, name), child)
            except Exception as exc:
                if self.return_exceptions:
                    return exc
                raise RouteError(name, exc) from exc

        names = list(plan.routes)
        outputs = await gather_with_concurrency(config.get("max_concurrency"), *(one(n) for n in names))
        return dict(zip(names, outputs, strict=True))

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        request, suggestions, plan, run_config = await self._aprepare(input, config)
        run = partial(self._atransform, request=request, suggestions=suggestions, plan=plan)
        async for chunk in self._atransform_stream_with_config(_one(input), run, run_config, **kwargs):
            yield chunk

    async def _atransform(
        self, inputs: AsyncIterator[Any], run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig, *, request: RouterRequest, suggestions: list[RouteSuggestion],
        plan: RoutePlan,
    ) -> AsyncIterator[Any]:  # fmt: skip
        async for _ in inputs:
            pass
        await adispatch_custom_event(SUGGESTIONS_EVENT, self._event(suggestions, plan), config=config)
        if len(plan.routes) > 1:
            yield await self._afan_out(request, plan, run_manager, config)
            return
        name, route, child = self._single(request, plan, run_manager, config)
        with raised_as_route_error(name):
            async for chunk in route.astream(request.route_input, child):
                yield chunk


async def _one(value: Any) -> AsyncIterator[Any]:
    yield value
