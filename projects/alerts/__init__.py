"""Predictive alerts: pure rules (rules.py), the engine that turns findings into Alert rows (engine.py), the
Celery sweep and on-change evaluation (tasks.py, signals.py)."""
