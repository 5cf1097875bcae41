"""The row-by-row plan realism as it was before vectorising (a manager at a time, the backtest run again for
every judged period): the oracle that :func:`kpi_toolkit.plan_realism` must equal exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.kpis import kpi_history
from kpi_toolkit.periods import parse_periods
from kpi_toolkit.plan_realism import (
    _MIN_ERRORS,
    _MIN_TEAM_ERRORS,
    _PER_YEAR,
    REALISM_COLUMNS,
    _first_whole,
    _interval,
    _Model,
    _verdict,
)


def expected(model: _Model, series: np.ndarray, team: np.ndarray, i: int) -> np.ndarray:
    season = model.seasonal(team, i)
    growth = model.trend(team, season, i)
    out = np.full(series.shape[0], np.nan)
    for row, values in enumerate(series):
        active = np.flatnonzero(values[:i] > 0)
        if active.size == 0:
            continue
        start = max(int(active[0]), i - model.history)
        n = i - start
        if n < model.min_history:
            continue
        level = float(np.mean(values[start:i] / season[np.arange(start, i) % model.per_year]))
        out[row] = level * season[i % model.per_year] * growth ** ((n + 1) / 2)
    return out


def _errors(model: _Model, volumes: np.ndarray, team: np.ndarray, until: int) -> list[np.ndarray]:
    out = []
    for j in range(until):
        e = expected(model, volumes, team, j)
        actual = volumes[:, j]
        ok = np.isfinite(e) & (e > 0) & (actual > 0)
        out.append(np.log(actual[ok] / e[ok]))
    return out


def plan_realism(data, *, periods, team=None, level=0.8, history=8, min_history=4) -> pd.DataFrame:
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    kind = window[0].kind
    first = min(_first_whole(data, kind), min(window))
    span = parse_periods(f"{first}:{max(window)}", fiscal_year_start=data.fiscal_year_start, name="periods")
    labels = [str(p) for p in span]
    table = kpi_history(data, periods=labels, team=team).reset_index()
    volumes = table.pivot(index="manager", columns="period", values="sales_volume").loc[:, labels].fillna(0.0)
    targets = table.pivot(index="manager", columns="period", values="sales_plan").loc[:, labels]
    teams = data.manager_info["team"].reindex(volumes.index)
    model = _Model(per_year=_PER_YEAR[kind], history=history, min_history=min_history)
    per = 12 // model.per_year
    pad = ((span[0].start.month - data.fiscal_year_start) % 12) // per if kind != "year" else 0
    rows, coverage = [], {}
    groups = [(name, list(members.index)) for name, members in teams.groupby(teams, dropna=False, sort=True)]
    for team_name, members in groups:
        v = np.concatenate(
            [np.full((len(members), pad), np.nan), volumes.loc[members].to_numpy(float)], axis=1
        )
        total = v.sum(axis=0)
        for p in window:
            i = labels.index(str(p)) + pad
            low, high, cover = _interval(_errors(model, v, total, i), level, _MIN_ERRORS)
            coverage[(str(team_name) if pd.notna(team_name) else "", str(p))] = cover
            e = expected(model, v, total, i)
            judged = []
            for row, manager in enumerate(members):
                target = float(targets.loc[manager, str(p)])
                e_low, e_high = e[row] * np.exp(low), e[row] * np.exp(high)
                verdict = _verdict(target, e[row], e_high)
                judged.append(verdict)
                rows.append((manager, team_name, str(p), target, v[row, i], e[row], e_low, e_high, verdict))
            t_low, t_high, _ = _interval(_errors(model, total[None, :], total, i), level, _MIN_TEAM_ERRORS)
            if not np.isfinite(t_low):
                t_low, t_high = low, high
            team_expected = float(expected(model, total[None, :], total, i)[0])
            member_targets = targets.loc[members, str(p)]
            known = member_targets.notna().to_numpy()
            target = float(member_targets.sum()) if known.any() and (known | ~(v[:, i] > 0)).all() else np.nan
            verdict = _verdict(target, team_expected, team_expected * np.exp(t_high))
            counted = [j for j in judged if j in ("realistic", "stretch", "out of reach")]
            share = counted.count("out of reach") / len(counted) if counted else np.nan
            bounds = (team_expected * np.exp(t_low), team_expected * np.exp(t_high))
            rows.append(
                ("TOTAL", team_name, str(p), target, total[i], team_expected, *bounds, verdict, share)
            )
    out = pd.DataFrame(
        [r if len(r) == 10 else (*r, np.nan) for r in rows],
        columns=[c for c in REALISM_COLUMNS if c != "target_vs_expected"],
    )
    out.insert(8, "target_vs_expected", out["target"] / out["expected"].where(out["expected"] > 0))
    order = {str(p): n for n, p in enumerate(window)}
    out = out.sort_values("period", key=lambda c: c.map(order), kind="stable", ignore_index=True)
    out = out.astype({"manager": "string", "team": "string", "period": "string", "verdict": "string"})
    out.attrs.update(level=level, coverage=coverage, history=history, min_history=min_history)
    return out.loc[:, list(REALISM_COLUMNS)]
