export * from './fake-http-server';
export * from './telegram.fake';
export * from './slack.fake';
export * from './github.fake';
export * from './openai.fake';
export * from './webhook-receiver.fake';
export * from './agent-runtime.fake';
