"""A customer driving the running bot through the stand-in Bot API, as a person on a phone."""

from __future__ import annotations

from tests.conftest import USER, USER_KEY
from tests.fakes.telegram import BotMessage, FakeTelegram


class Customer:
    def __init__(self, telegram: FakeTelegram, user_id: int = USER) -> None:
        self.telegram = telegram
        self.user_id = user_id

    async def say(self, text: str, expect: str | None = None, timeout: float = 10) -> BotMessage:
        """Send a message and wait for the bot's answer (containing `expect`)."""
        mark = self.telegram.mark()
        self.telegram.send_text(self.user_id, text)
        return await self.telegram.wait_for_message(
            self.user_id, expect, after=mark, timeout=timeout
        )

    async def send(self, text: str, expect: str | None = None) -> tuple[int, BotMessage]:
        """Like say(), also returning the id of the user's own message."""
        mark = self.telegram.mark()
        message_id = self.telegram.send_text(self.user_id, text)
        answer = await self.telegram.wait_for_message(self.user_id, expect, after=mark)
        return message_id, answer

    async def tap(self, label: str, expect: str | None = None, timeout: float = 10) -> BotMessage:
        """Press the newest button whose label contains `label`, wait for the answer."""
        mark = self.telegram.mark()
        self.telegram.press_button(self.user_id, label)
        return await self.telegram.wait_for_message(
            self.user_id, expect, after=mark, timeout=timeout
        )

    async def tap_exact(self, label: str, expect: str | None = None) -> BotMessage:
        """Press the newest button labelled exactly `label` (a page number "2", which other
        labels contain), wait for the answer."""
        for message in reversed(self.telegram.messages(self.user_id)):
            for row in message.buttons:
                for text, data in row:
                    if text == label and data is not None:
                        mark = self.telegram.mark()
                        self.telegram.press(self.user_id, message.message_id, data)
                        return await self.telegram.wait_for_message(
                            self.user_id, expect, after=mark
                        )
        raise AssertionError(f"no button labelled {label!r}")

    async def send_photo(self, expect: str | None = None) -> BotMessage:
        mark = self.telegram.mark()
        self.telegram.send_photo(self.user_id)
        return await self.telegram.wait_for_message(self.user_id, expect, after=mark)

    async def connect(self, key: str = USER_KEY) -> None:
        await self.say("/key", "Send me your panel")
        await self.say(key, "connected")

    async def open_service(self, service_id: int | str, expect: str | None = None) -> BotMessage:
        """Start /order and jump to a service by typing its id."""
        await self.say("/order", "Choose a category")
        return await self.say(str(service_id), expect)

    def last(self) -> BotMessage:
        message = self.telegram.last_message(self.user_id)
        assert message is not None
        return message

    def labels(self, message: BotMessage | None = None) -> list[str]:
        message = message or self.last()
        return [label for row in message.buttons for label, _ in row]

    async def press(self, message: BotMessage, data: str) -> dict[str, object]:
        """Send any button data (stale, forged) for a bot message; wait for the bot's answer to
        the query (the toast) and return its parameters."""
        query_id = self.telegram.press(self.user_id, message.message_id, data)
        return await self.telegram.wait_for(
            lambda: self.telegram.callback_answers.get(query_id),
            what=f"the answer to callback {data!r}",
        )


def data_of(message: BotMessage, label: str) -> str:
    """The data of the first button of `message` whose label contains `label`."""
    found = [data for row in message.buttons for text, data in row if label in text and data]
    assert found, f"no button {label!r} on {message.buttons}"
    return found[0]
