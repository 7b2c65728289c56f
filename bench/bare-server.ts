import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The gateway bench's reference: a bare Apollo Server answering a constant, run as its own process as ours is, so
 * both are measured from outside the same way. Prints its URL once listening.
 */
const server = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' } }).then(({ url }) => console.log(url));
