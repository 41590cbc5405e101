from kocorpus.pipelines import session


def test_spark_fixture_runs_a_job(spark):
    assert spark.range(10).count() == 10
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_missing_java_message_says_how_to_install(monkeypatch):
    monkeypatch.setattr(session, "java_version", lambda: None)
    try:
        session.check_java()
    except session.JavaMissingError as e:
        assert "openjdk-17-jre-headless" in str(e)
    else:
        raise AssertionError("check_java accepted a machine without Java")


def test_config_hash_ignores_the_output_root_but_not_the_settings():
    from kocorpus.sample import config_path as sample_config_path
    from kocorpus.config import load_config

    a = load_config(sample_config_path(), {"run": {"root": "/tmp/a"}})
    b = load_config(sample_config_path(), {"run": {"root": "/tmp/b"}})
    c = load_config(sample_config_path(), {"run": {"root": "/tmp/a"}, "quality": {"min_chars": 51}})
    assert a.sha256() == b.sha256() != c.sha256()
