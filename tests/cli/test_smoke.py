from __future__ import annotations


def test_practice_fixture_lists_client(practice) -> None:
    result = practice("client", "list", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "id,name,email,phone,tags\nana,Ana Lima,ana@example.com,,\n"
