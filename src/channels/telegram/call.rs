//! One Bot API call for the outbox sender, with teloxide's payload, answer and error types.
//!
//! teloxide's own executor pauses 10 s on any 5xx before it reads the answer; the sender
//! serves every chat in turn, so that pause would hold every reporter and the war room
//! behind one failing call. Here a 5xx is returned at once as the error Telegram wrote, and
//! the sender retries that row on its own backoff while the other chats go on. Everything
//! else is as teloxide does it: the same JSON bodies, the same error mapping, the token
//! kept out of error texts.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use teloxide::requests::Payload;
use teloxide::types::{False, ResponseParameters, True};
use teloxide::{ApiError, Bot, RequestError};

/// The Bot API's answer, as teloxide reads it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Answer<R> {
    Ok {
        #[allow(dead_code)]
        ok: True,
        result: R,
    },
    Err {
        #[allow(dead_code)]
        ok: False,
        description: ApiError,
        parameters: Option<ResponseParameters>,
    },
}

/// Calls `P`'s method with `payload` as its JSON body.
pub async fn call<P>(bot: &Bot, payload: &P) -> Result<P::Output, RequestError>
where
    P: Payload + serde::Serialize,
    P::Output: DeserializeOwned,
{
    let mut url = bot.api_url();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().push(&format!("bot{}", bot.token())).push(P::NAME);
    }
    let response = bot.client().post(url).json(payload).send().await?;
    let text = response.text().await?;
    match serde_json::from_str::<Answer<P::Output>>(&text) {
        Ok(Answer::Ok { result, .. }) => Ok(result),
        Ok(Answer::Err {
            parameters: Some(p), ..
        }) => Err(match p {
            ResponseParameters::RetryAfter(s) => RequestError::RetryAfter(s),
            ResponseParameters::MigrateToChatId(to) => RequestError::MigrateToChatId(to),
        }),
        Ok(Answer::Err { description, .. }) => Err(RequestError::Api(description)),
        Err(e) => Err(RequestError::InvalidJson {
            source: Arc::new(e),
            raw: text.into_boxed_str(),
        }),
    }
}
