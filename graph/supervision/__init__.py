"""Follow-up supervision (事中事后监管; 国发〔2016〕33号 发起 → 响应 → 反馈, docs/domain.md).

A department watches the enterprises holding an active licence it issued, and the subjects it adds itself
(`watch.py`). After every change of the data, and daily for listings that start or end by date, each watched
subject whose answer changed raises one alert per department that watches it (`alerts.py`); the department
records what it did (`responses.py`), and the sending department sees which receivers responded.

All of it lives in `supervision.sqlite` beside the store (whatever the backend), like the audit trail: the
watch lists, each watched subject's last answer, the alerts, the responses (append-only) and the data version
alerts have been derived up to (`db.py`).
"""
