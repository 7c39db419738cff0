BEGIN TRANSACTION;
CREATE TABLE effects (
	id INTEGER NOT NULL, 
	record_id INTEGER NOT NULL, 
	variant VARCHAR(255) NOT NULL, 
	metric VARCHAR(255) NOT NULL, 
	role VARCHAR(16), 
	effect FLOAT, 
	effect_se FLOAT, 
	rel_effect FLOAT, 
	pvalue FLOAT, 
	control_units INTEGER, 
	treatment_units INTEGER, 
	control_mean FLOAT, 
	treatment_mean FLOAT, 
	effect_fold1 FLOAT, 
	effect_fold2 FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(record_id) REFERENCES records (id)
);
INSERT INTO "effects" VALUES(1,2,'gate_40','retention_7','primary',-0.00820129831520594,2.59204275724697489127e-03,-4.3119034896460295414e-02,1.55653018100661722639e-03,44700,45489,1.90201342281879182127e-01,1.82000043966673241691e-01,-7.52615757092922610382e-03,-8.86594471439003384283e-03);
INSERT INTO "effects" VALUES(2,2,'gate_40','retention_1','guardrail',-5.90516978734151321006e-03,3.3099289864651848872e-03,-1.31756558597466710835e-02,7.44144371395361187149e-02,44700,45489,4.48187919463087280913e-01,4.42282749675745767703e-01,2.56529715774611588585e-04,-1.198708603882703283e-02);
INSERT INTO "effects" VALUES(3,2,'gate_40','rounds','secondary',-1.15748845395324195806e+00,1.30725041730547375529e+00,-2.20657813973972327659e-02,3.75924384093262620165e-01,44700,45489,5.24562639821029037551e+01,5.12987755281496617945e+01,-1.70585934321754,-6.14878330633324310383e-01);
INSERT INTO "effects" VALUES(4,3,'b','clicks',NULL,0.1,0.05,NULL,NULL,100,100,NULL,NULL,NULL,NULL);
INSERT INTO "effects" VALUES(5,3,'b','revenue',NULL,0.3,0.2,NULL,NULL,100,100,NULL,NULL,NULL,NULL);
CREATE TABLE noise_covariances (
	id INTEGER NOT NULL, 
	record_id INTEGER NOT NULL, 
	variant VARCHAR(255) NOT NULL, 
	metrics TEXT NOT NULL, 
	covariance BLOB NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(record_id) REFERENCES records (id)
);
INSERT INTO "noise_covariances" VALUES(1,2,'gate_40','["retention_7", "retention_1", "rounds"]',X'B0401840222EDC3E9A985DF6C48FC73E6456311F96D14E3F9A985DF6C48FC73E8472B54EC2F9E63ED060EEC066D44B3F6456311F96D14E3FD060EEC066D44B3FC3DF7F5BAB57FB3F');
CREATE TABLE proxymetric_meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "proxymetric_meta" VALUES('schema_version','1');
CREATE TABLE records (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	experiment VARCHAR(255) NOT NULL, 
	created_at VARCHAR(32) NOT NULL, 
	tool_version VARCHAR(32) NOT NULL, 
	source TEXT, 
	spec_hash VARCHAR(64), 
	spec TEXT, 
	fingerprint VARCHAR(64), 
	decision VARCHAR(32), 
	decision_variant VARCHAR(255), 
	shipped BOOLEAN, 
	noise_covariance VARCHAR(16) NOT NULL, 
	payload TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "records" VALUES(1,'plan','gate-40','2026-12-02T00:01:39.073738+00:00','0.1.0','examples/cookie-cats/proxymetric.yaml','afb49ad6ddec9265c5565dbd5cd571c3d97ade89206f26aa64a2d5d3a0bb4abe','{"request": "Move the first gate (a forced wait) from level 30 to level 40.", "goal": "Grow active players: more players still playing a week after install.", "north_star": "retention_7", "baseline": null, "model_owner": null, "duration": null, "sources": {"players": {"path": "cookie_cats.csv.gz", "table": null, "connection": null, "format": null, "unit": "userid", "variant": "version", "timestamp": null, "summary": null, "filter": null, "description": null}}, "metrics": {"retention_7": {"type": "proportion", "source": "players", "column": "retention_7", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Share of players who came back 7 days after install.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}, "retention_1": {"type": "proportion", "source": "players", "column": "retention_1", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Share of players who came back 1 day after install.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}, "rounds": {"type": "mean", "source": "players", "column": "sum_gamerounds", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Game rounds played in the first 14 days.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}}, "evaluations": {}, "experiments": {"gate-40": {"control": "gate_30", "assignment": null, "window_days": null, "pre_period_days": 14.0, "exposure_filter": null, "variants": null, "primary": "retention_7", "guardrails": [{"metric": "retention_1", "margin": 0.02, "margin_type": "relative"}], "secondary": ["rounds"], "alpha": 0.05, "split": {"gate_30": 0.5, "gate_40": 0.5}, "correction": "holm", "guardrail_rule": "deterioration", "planned_units": null, "units_per_day": null, "population": null, "min_units_per_arm": 10, "description": null}}, "value": null, "ethics_review": null}',NULL,NULL,NULL,NULL,'unknown','{"control": "gate_30", "variants": null, "primary": "retention_7", "guardrails": [{"metric": "retention_1", "margin": 0.02, "margin_type": "relative"}], "secondary": ["rounds"], "alpha": 0.05, "planned_units": null, "mde": 0.01, "duration_days": 14}');
INSERT INTO "records" VALUES(2,'analysis','gate-40','2026-12-02T00:01:40.125098+00:00','0.1.0','examples/cookie-cats/proxymetric.yaml','afb49ad6ddec9265c5565dbd5cd571c3d97ade89206f26aa64a2d5d3a0bb4abe','{"request": "Move the first gate (a forced wait) from level 30 to level 40.", "goal": "Grow active players: more players still playing a week after install.", "north_star": "retention_7", "baseline": null, "model_owner": null, "duration": null, "sources": {"players": {"path": "cookie_cats.csv.gz", "table": null, "connection": null, "format": null, "unit": "userid", "variant": "version", "timestamp": null, "summary": null, "filter": null, "description": null}}, "metrics": {"retention_7": {"type": "proportion", "source": "players", "column": "retention_7", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Share of players who came back 7 days after install.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}, "retention_1": {"type": "proportion", "source": "players", "column": "retention_1", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Share of players who came back 1 day after install.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}, "rounds": {"type": "mean", "source": "players", "column": "sum_gamerounds", "covariate": null, "aggregate": null, "filter": null, "numerator": null, "denominator": null, "numerator_covariate": null, "denominator_covariate": null, "direction": "increase", "summary_metric": null, "fill_missing": null, "value_per_unit": null, "description": "Game rounds played in the first 14 days.", "owner": null, "role": null, "link": null, "computed_by": null, "expected_effect": null, "baseline_mean": null, "baseline_sd": null}}, "evaluations": {}, "experiments": {"gate-40": {"control": "gate_30", "assignment": null, "window_days": null, "pre_period_days": 14.0, "exposure_filter": null, "variants": null, "primary": "retention_7", "guardrails": [{"metric": "retention_1", "margin": 0.02, "margin_type": "relative"}], "secondary": ["rounds"], "alpha": 0.05, "split": {"gate_30": 0.5, "gate_40": 0.5}, "correction": "holm", "guardrail_rule": "deterioration", "planned_units": null, "units_per_day": null, "population": null, "min_units_per_arm": 10, "description": null}}, "value": null, "ethics_review": null}','4d86243430c807d7','rollback',NULL,0,'measured','{"control": "gate_30", "variants": ["gate_30", "gate_40"], "units": {"gate_30": 44700, "gate_40": 45489}, "alpha": 0.05, "correction": "holm", "srm_pvalue": 0.008607987810836262, "reasons": [{"code": "primary_worse", "variant": "gate_40", "metric": "retention_7", "pvalue": 0.0031130603620132345, "noninferior": null, "worse": null, "detail": null, "units": null, "planned_units": null, "effect": null, "days": null}], "warnings": []}');
INSERT INTO "records" VALUES(3,'import','past_test','2026-12-02T00:01:40.129803+00:00','0.1.0','csv',NULL,NULL,NULL,NULL,NULL,1,'unknown','{}');
CREATE INDEX ix_records_experiment ON records (experiment);
CREATE INDEX ix_effects_record ON effects (record_id);
CREATE INDEX ix_noise_record ON noise_covariances (record_id);
COMMIT;
