"""The README's request examples, run verbatim against the app.

Every `curl` command of the "Using the API" section is read from README.md, its `$TOKEN`,
`$USER_ID` and host filled in, and sent as written (method, headers, body, URL): each must
answer 2xx. Change an example in the README and this test runs the new one.
"""

import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import new_user, user_headers

README = Path(__file__).resolve().parents[2] / "README.md"


def _curl_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## Using the API", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    lines = (raw.split(" # ", 1)[0].strip() for raw in joined.splitlines())  # drop comments
    return [line for line in lines if line.startswith("curl")]


def _request(command: str, variables: dict[str, str]) -> tuple[str, str, dict[str, str], str]:
    for name, value in variables.items():
        command = command.replace(f"${name}", value)
    args = shlex.split(command)[1:]
    method, headers, body, url = "GET", {}, "", ""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-X":
            method, i = args[i + 1], i + 2
        elif arg == "-H":
            name, _, value = args[i + 1].partition(":")
            headers[name.strip()] = value.strip()
            i += 2
        elif arg == "-d":
            body, i = args[i + 1], i + 2
            method = "POST" if method == "GET" else method
        else:
            url, i = arg, i + 1
    return method, url.replace("http://localhost:8000", ""), headers, body


def test_every_readme_example_answers_2xx(
    anonymous: TestClient, client: TestClient, mail_dir: Path
) -> None:
    commands = _curl_commands()
    assert len(commands) >= 8, commands
    user_id = new_user(client, mail_dir)
    token = user_headers(client, user_id)["Authorization"].removeprefix("Bearer ")
    admin_token = client.headers["Authorization"].removeprefix("Bearer ")
    [mailbox] = client.get(f"/api/v1/users/{user_id}/mailboxes").json()
    for command in commands:
        # /stats is admin-only: the README marks it so; an admin token runs it.
        variables = {
            "USER_ID": user_id,
            "MAILBOX_ID": mailbox["id"],
            "TOKEN": admin_token if "stats" in command else token,
        }
        method, path, headers, body = _request(command, variables)
        answer = anonymous.request(method, path, headers=headers, content=body or None)
        assert 200 <= answer.status_code < 300, (command, answer.status_code, answer.text)
        assert re.match(r"^/(api/v1|health)", path)
